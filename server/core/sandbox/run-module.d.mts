/** Types for run-module.mjs (plain JS so worker threads load it without a TypeScript loader). */
import type { WorkerJob, WorkerReport } from './run-job';

export const FUEL_EXPORT: 'nightcore_fuel';
export function trapKind(message: string): string;
export function runModule(job: WorkerJob): WorkerReport;
export type RunJob = WorkerJob;
export type RunReport = WorkerReport;
