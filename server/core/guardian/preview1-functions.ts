/**
 * The 46 functions of WASI preview1 (`wasi_snapshot_preview1`), as named by the specification's
 * witx. A policy may only name these (or a `prefix_*` matching at least one of them) in
 * `imports_allowed.deny_functions`, so a typo cannot silently leave a function allowed.
 */
export const PREVIEW1_FUNCTIONS = [
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept',
  'sock_recv', 'sock_send', 'sock_shutdown',
] as const;

const KNOWN: ReadonlySet<string> = new Set(PREVIEW1_FUNCTIONS);

/** True when `pattern` (an exact name or `prefix*`) names `fn`. */
export function functionMatches(pattern: string, fn: string): boolean {
  return pattern.endsWith('*') ? fn.startsWith(pattern.slice(0, -1)) : fn === pattern;
}

/** Null when the pattern names at least one preview1 function; otherwise why it does not. */
export function checkFunctionPattern(pattern: string): string | null {
  if (pattern.indexOf('*') !== -1 && (pattern.indexOf('*') !== pattern.length - 1 || pattern.length < 2)) {
    return 'a wildcard is allowed only at the end, after a prefix (e.g. "sock_*")';
  }
  if (pattern.endsWith('*')) {
    return PREVIEW1_FUNCTIONS.some((fn) => functionMatches(pattern, fn)) ? null : `no WASI preview1 function starts with "${pattern.slice(0, -1)}"`;
  }
  return KNOWN.has(pattern) ? null : `"${pattern}" is not a WASI preview1 function`;
}
