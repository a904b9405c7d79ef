/**
 * The submission state machine. A submission starts pending and ends exactly once: approved
 * (quorum met), rejected (an eligible person said no), expired (nobody decided in time) or
 * withdrawn (the agent or its owner took it back). Terminal states never change again, so an
 * approval arriving after a rejection or an expiry cannot revive anything.
 */
import { err, ok, type Result } from '../result';
import { submissionTtlMs, type TApprovalPolicy } from './policy';

export const SUBMISSION_STATES = ['pending', 'approved', 'rejected', 'expired', 'withdrawn'] as const;
export type SubmissionState = (typeof SUBMISSION_STATES)[number];
export type TerminalState = Exclude<SubmissionState, 'pending'>;

export const isTerminal = (s: SubmissionState): s is TerminalState => s !== 'pending';

export type TransitionCode = 'NOT_PENDING' | 'EXPIRED';

/**
 * The one way to move a submission: only from pending, and a pending submission past its expiry
 * can only become expired (an approval that arrives too late is refused, not applied).
 */
export function transition(
  current: { readonly state: SubmissionState; readonly expiresAt: Date },
  to: TerminalState,
  now: Date,
): Result<TerminalState, TransitionCode> {
  if (current.state !== 'pending') return err('NOT_PENDING', `The submission is already ${current.state}.`);
  if (to !== 'expired' && now.getTime() >= current.expiresAt.getTime()) {
    return err('EXPIRED', `The submission expired at ${current.expiresAt.toISOString()}.`);
  }
  return ok(to);
}

/** What a reader sees: a pending submission past its expiry is expired even before a sweep records it. */
export function observedState(current: { readonly state: SubmissionState; readonly expiresAt: Date }, now: Date): SubmissionState {
  return current.state === 'pending' && now.getTime() >= current.expiresAt.getTime() ? 'expired' : current.state;
}

export function expiryFor(createdAt: Date, policy: TApprovalPolicy): Date {
  return new Date(createdAt.getTime() + submissionTtlMs(policy));
}
