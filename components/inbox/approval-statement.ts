/**
 * The approval statement as the browser builds and signs it: the same canonical (RFC 8785) text and
 * the same DSSE pre-authentication encoding as server/core/inbox/statement.ts (which the server
 * verifies with), without node:crypto. approval-statement.test.ts checks the bytes are identical.
 */
import canonicalize from 'canonicalize';

export const APPROVAL_PAYLOAD_TYPE = 'application/vnd.nightcore.approval.v1+json';

export interface StatementFields {
  readonly format: 'nightcore.approval/v1';
  readonly subject: string;
  readonly wasmSha256: string;
  readonly manifestSha256: string;
  readonly policy: { readonly name: string; readonly revision: number };
}

export interface Statement extends StatementFields {
  readonly decision: 'approve' | 'reject' | 'release';
  readonly reason: string;
  readonly time: string;
}

const encoder = new TextEncoder();

export function canonicalText(statement: Statement): string {
  const text = canonicalize({ ...statement, policy: { ...statement.policy } });
  if (typeof text !== 'string') throw new Error('the statement cannot be canonicalised');
  return text;
}

/** "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths in bytes. */
export function signingBytes(canonical: string): Uint8Array {
  const body = encoder.encode(canonical);
  const type = encoder.encode(APPROVAL_PAYLOAD_TYPE);
  const header = encoder.encode(`DSSEv1 ${type.length} ${APPROVAL_PAYLOAD_TYPE} ${body.length} `);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
