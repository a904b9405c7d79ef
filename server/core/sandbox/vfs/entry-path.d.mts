/** Types for entry-path.mjs (plain JS so worker threads load it without a TypeScript loader). */

/** Why an entry path is unacceptable (empty, `.`/`..`/empty component, NUL, name > 255 bytes), or null. */
export function entryPathProblem(path: string): string | null;
