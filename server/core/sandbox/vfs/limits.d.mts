/** Types for limits.mjs (plain JS so worker threads load it without a TypeScript loader). */
export const MAX_OPEN_FDS: number;
