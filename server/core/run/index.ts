/** The run path: the governor and what it is built from. */
export { createGovernor, type Governor, type RunCode, type RunReport } from './governor';
export type { Assessment } from './assess';
export { INPUT_LIMITS, checkInput, type RunInput } from './input-limits';
export { FairQueue, type AdmitCode, type Admission } from './fair-queue';
export { outputDigest, executionSummary, describeOutcome, type OutputDigests } from './execution';
export type { ReplayCode, ReplayDifference, ReplayReport } from './replay';
export { contentsOf, rebuildDirs, describeDirs, type RecordedDir, type RecordedDirState, type RecordedEntry } from './input-tree';
export { NO_APPROVALS } from './ports';
export type {
  Approvals,
  ApprovalStatus,
  ApprovalReference,
  AuditSink,
  DecidedRun,
  GovernorPorts,
  PolicyInForce,
  RecordedRun,
  RecordedRuns,
  Reverification,
  RunHistory,
  RunRecorder,
  RunStage,
  StoredModule,
  TrustedModules,
} from './ports';
