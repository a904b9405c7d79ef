/** Types for warm-up-module.mjs (plain JS so worker threads load it without a TypeScript loader). */
export const WARM_UP_PLAIN_WAT: string;
export const WARM_UP_RUNNABLE_WAT: string;
export const WARM_UP_PLAIN: Uint8Array;
export const WARM_UP_RUNNABLE: Uint8Array;
export const WARM_UP_OUTPUT: string;
