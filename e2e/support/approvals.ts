/**
 * Signed approvals from a script, as `nightcore approve` / `nightcore quarantine release` make
 * them: an Ed25519 key generated here (never committed), registered to the role's user through
 * inbox.registerKey, and statements signed with the core's signer (the same bytes the browser signs).
 */
import type { APIRequestContext } from '@playwright/test';
import { generateKeyPair } from '../../server/core/crypto/ed25519';
import { encodeBase64, keyIdOf } from '../../server/core/crypto/keys';
import { signStatement, type TApprovalStatement, type TSignedApproval } from '../../server/core/inbox';
import { expectData, trpcMutation, trpcQuery } from './trpc';

export interface ScriptKey {
  readonly seed: Uint8Array;
  readonly keyid: string;
}

/** Creates a key and registers it to whoever `request` is signed in as. */
export async function registerScriptKey(request: APIRequestContext, origin: string): Promise<ScriptKey> {
  const pair = generateKeyPair();
  expectData(await trpcMutation(request, origin, 'inbox.registerKey', { publicKey: encodeBase64(pair.publicKey) }), 'inbox.registerKey');
  return { seed: pair.seed, keyid: keyIdOf(pair.publicKey) };
}

export function sign(key: ScriptKey, statement: TApprovalStatement): TSignedApproval {
  const signed = signStatement(statement, key.seed, key.keyid);
  if (!signed.ok) throw new Error(signed.message);
  return signed.value;
}

interface ReleaseEntry {
  readonly id: number;
  readonly wasmSha256: string;
  readonly release: { readonly statement: Omit<TApprovalStatement, 'decision' | 'reason' | 'time'> };
}

/** Signs a release of the quarantined `wasmSha256` as the signed-in user; answers what the server said. */
export async function signRelease(request: APIRequestContext, origin: string, key: ScriptKey, wasmSha256: string, reason: string) {
  const entries = expectData(await trpcQuery<ReleaseEntry[]>(request, 'quarantine.list'), 'quarantine.list');
  const entry = entries.find((e) => e.wasmSha256 === wasmSha256);
  if (!entry) throw new Error(`${wasmSha256} is not in quarantine`);
  const signed = sign(key, { ...entry.release.statement, decision: 'release', reason, time: new Date().toISOString() });
  return trpcMutation<{ released: boolean; detail: string }>(request, origin, 'quarantine.release', { id: entry.id, signed });
}
