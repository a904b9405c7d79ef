/** Types for wasi-grants.mjs (plain JS so worker threads load it without a TypeScript loader). */
export const HOST_FUNCTION_GRANTS: Readonly<Record<string, readonly string[]>>;
