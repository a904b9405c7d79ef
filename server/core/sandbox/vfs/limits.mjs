// @ts-check
/** Per-run bounds of the virtual filesystem that tests and the pool's checks also read. */

/** Open descriptors per run; past it path_open answers MFILE. */
export const MAX_OPEN_FDS = 1024;
