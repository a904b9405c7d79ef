/** Types for warm-up.mjs (plain JS so worker threads load it without a TypeScript loader). */
import type { WorkerReport } from '../run-job';

export function warmUp(): WorkerReport;
