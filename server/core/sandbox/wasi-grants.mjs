// @ts-check
/**
 * The 46 `wasi_snapshot_preview1` functions and the capabilities that make each one useful. All
 * are linked in every run; a call outside the grant returns an errno and is recorded (wasi-host.mjs).
 * The pre-exec import check (wasi-imports.ts) reads the same table.
 *
 * `baseline` functions expose nothing by themselves (descriptor bookkeeping, a yield, a virtual
 * sleep, a trap). An empty list means no grant can ever allow the call: sockets, no network, ever.
 */
export const HOST_FUNCTION_GRANTS = Object.freeze({
  args_get: ['args'],
  args_sizes_get: ['args'],
  environ_get: ['environ'],
  environ_sizes_get: ['environ'],
  clock_res_get: ['clock'],
  clock_time_get: ['clock'],
  random_get: ['random'],
  proc_exit: ['exit'],
  fd_read: ['stdin', 'fs.read'],
  fd_write: ['stdout', 'stderr', 'fs.write'],
  fd_pread: ['fs.read'],
  fd_readdir: ['fs.read'],
  path_readlink: ['fs.read'],
  path_open: ['fs.read', 'fs.write'],
  path_filestat_get: ['fs.read', 'fs.write'],
  fd_pwrite: ['fs.write'],
  fd_allocate: ['fs.write'],
  fd_datasync: ['fs.write'],
  fd_filestat_set_size: ['fs.write'],
  fd_filestat_set_times: ['fs.write'],
  path_create_directory: ['fs.write'],
  path_filestat_set_times: ['fs.write'],
  path_link: ['fs.write'],
  path_remove_directory: ['fs.write'],
  path_rename: ['fs.write'],
  path_symlink: ['fs.write'],
  path_unlink_file: ['fs.write'],
  fd_advise: ['baseline'],
  fd_close: ['baseline'],
  fd_fdstat_get: ['baseline'],
  fd_fdstat_set_flags: ['baseline'],
  fd_fdstat_set_rights: ['baseline'],
  fd_filestat_get: ['baseline'],
  fd_prestat_get: ['baseline'],
  fd_prestat_dir_name: ['baseline'],
  fd_renumber: ['baseline'],
  fd_seek: ['baseline'],
  fd_sync: ['baseline'],
  fd_tell: ['baseline'],
  poll_oneoff: ['baseline'],
  sched_yield: ['baseline'],
  proc_raise: ['baseline'],
  sock_accept: [],
  sock_recv: [],
  sock_send: [],
  sock_shutdown: [],
});
