/** "1 page", "2 pages", "1,000,000 runs": grouped digits and the right plural, never "page(s)". */
export const countOf = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
