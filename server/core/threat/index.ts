export { BANDS, bandFor, ZBandsSchema, type Band, type TBands } from './bands';
export { SIGNAL_IDS, ZThreatConfigSchema, type SignalId, type TThreatConfig } from './config';
export { BASELINE_CAPABILITIES, threatFactsFrom, type ThreatFacts, type ThreatHistory } from './facts';
export { scoreThreat, type ThreatAssessment, type ThreatSignal } from './score';
export { shouldQuarantine, type QuarantineDecision, type QuarantineInput, type QuarantineSource } from './quarantine';
