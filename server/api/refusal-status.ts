/**
 * HTTP-level status of each reason the approval core refuses a signed statement
 * (server/core/inbox/quorum.ts): shared by every procedure that takes one (inbox decisions,
 * quarantine releases, policy proposals), so a new refusal is mapped once. A statement the
 * caller got wrong is BAD_REQUEST; routers override what means something else for their subject.
 */
import type { RefusalCode } from '../core/inbox/quorum';
import type { DomainStatus } from './errors';

export const REFUSAL_STATUS: { readonly [K in RefusalCode]: DomainStatus } = {
  STATEMENT_INVALID: 'BAD_REQUEST',
  SIGNATURE_INVALID: 'BAD_REQUEST',
  KEY_UNKNOWN: 'BAD_REQUEST',
  KEY_REVOKED: 'BAD_REQUEST',
  KEY_NOT_APPROVER: 'BAD_REQUEST',
  KEY_UNBOUND: 'BAD_REQUEST',
  PERSON_UNKNOWN: 'BAD_REQUEST',
  PERSON_DISABLED: 'BAD_REQUEST',
  WRONG_SUBJECT: 'BAD_REQUEST',
  WRONG_WASM: 'BAD_REQUEST',
  WRONG_MANIFEST: 'BAD_REQUEST',
  WRONG_POLICY: 'BAD_REQUEST',
  EXPIRED: 'BAD_REQUEST',
  FROM_THE_FUTURE: 'BAD_REQUEST',
  REASON_REQUIRED: 'BAD_REQUEST',
  SEPARATION_OF_DUTIES: 'BAD_REQUEST',
  NOT_ELIGIBLE: 'BAD_REQUEST',
  SUPERSEDED: 'BAD_REQUEST',
};
