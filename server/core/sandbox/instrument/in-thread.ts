/**
 * The preparation port without a thread: prepareJob on the calling thread. For a host that serves
 * nobody else while it works (a CLI command), where a thread's start would cost more than it saves,
 * but which still wants the persisted artefacts (the services' PreparedStore): a module instrumented
 * by one command is not instrumented again by the next (issue 14: the Rust wordcount took ~150 ms to
 * instrument at every `nightcore run`). Same answers as the preparation thread, same size bound; no
 * time bound (nothing else waits for this thread).
 */
import { err } from '../../result';
import { preparerOver, type JobResult, type WasmPreparer } from './off-thread';
import { prepareJob, type PrepareRequest } from './prepare-job';

export function createInThreadPreparer(opts: { readonly maxBytes: number }): WasmPreparer {
  let closed = false;
  const submit = async (req: PrepareRequest): Promise<JobResult> => {
    if (closed) return err('SHUT_DOWN', 'the preparer is closed');
    if (req.wasm.length > opts.maxBytes) return err('TOO_LARGE', `the module is ${req.wasm.length} bytes; at most ${opts.maxBytes} are prepared`);
    try {
      return prepareJob(req);
    } catch (e) {
      // prepareJob throws only on a bug: a failed job, as on the preparation thread.
      return err('CRASHED', e instanceof Error ? e.message : String(e));
    }
  };
  return preparerOver(submit, {
    start() {},
    async close() {
      closed = true;
    },
  });
}
