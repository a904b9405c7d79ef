/**
 * What verification takes and returns: shared by the verifier (./verify) and the signature check
 * (./signers), kept here so neither has to import the other for its types.
 */
import type { TManifest } from './manifest';

export const VERIFY_CODES = [
  'MANIFEST_INVALID',
  'ENVELOPE_INVALID',
  'DIGEST_MISMATCH',
  'SIGNATURE_INVALID',
  'UNTRUSTED_KEY',
  'KEY_REVOKED',
  'WASM_INVALID',
  'ROLLBACK',
  'VERSION_REUSED',
  'CODE_REUSED',
  /** An approved agent submission whose signed approvals no longer meet the quorum (server/core/inbox). */
  'NOT_APPROVED',
] as const;
export type VerifyCode = (typeof VERIFY_CODES)[number];

/** `node`: an execution node's key; its signed results are accepted from the remote backend. */
export type KeyRole = 'publisher' | 'approver' | 'auditor' | 'node';

export interface TrustedKey {
  keyid: string;
  name: string;
  role: KeyRole;
  publicKey: Uint8Array;
  status: 'active' | 'revoked';
  revokedAt: Date | null;
}

export interface VerifyContext {
  lookupKey(keyid: string): TrustedKey | undefined;
  requiredRole: KeyRole;
  /** Trusted signing time: when Night Core first recorded this signature (import time), else now. Never a time claimed by the bundle. */
  signedAt: Date;
  highestAccepted?: { version: string; wasmSha256: string } | undefined;
  /**
   * Versions of this name already accepted with this exact wasm digest, in any format (bundle or
   * legacy). Old code must never come back as a newer version: a relabelled old module would
   * otherwise become "latest" and lock the real next release out as a rollback.
   */
  acceptedVersionsOfDigest?: readonly string[] | undefined;
}

export interface Signer {
  keyid: string;
  name: string;
  role: KeyRole;
}

export interface VerifiedModule {
  manifest: TManifest;
  manifestCanonical: string;
  manifestSha256: string;
  wasmSha256: string;
  signers: Signer[];
  source: 'bundle' | 'legacy';
}

export interface BundleInput {
  wasm: Uint8Array;
  manifestText: string;
  envelopeText: string;
}
