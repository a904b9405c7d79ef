/**
 * Deciding which signatures count. Only keys from the trust store are used: the envelope's keyid
 * selects a stored key, and the signature must verify under that STORED key.
 */
import { ok, err, type Result } from '../result';
import { verifyEd25519 } from '../crypto/ed25519';
import type { Signer, TrustedKey, VerifyCode, VerifyContext } from './types';

export interface SignatureToCheck {
  keyid: string;
  sig: Uint8Array;
}

/** A revoked key still vouches for what it signed before the revocation took effect. */
export function keyValidAt(key: TrustedKey, signedAt: Date): boolean {
  if (key.status === 'active') return true;
  return key.revokedAt !== null && signedAt.getTime() < key.revokedAt.getTime();
}

const short = (keyid: string) => keyid.slice(0, 16);

/**
 * Returns every trusted signer valid at ctx.signedAt (required role first), or why none of the
 * required role is. Precedence when none is accepted: KEY_REVOKED (a genuine signature by a
 * revoked key) over SIGNATURE_INVALID (a trusted key's signature failed) over UNTRUSTED_KEY.
 */
export function checkSignatures(
  signatures: readonly SignatureToCheck[],
  message: Uint8Array,
  ctx: VerifyContext,
): Result<Signer[], Extract<VerifyCode, 'KEY_REVOKED' | 'SIGNATURE_INVALID' | 'UNTRUSTED_KEY'>> {
  const accepted: Signer[] = [];
  let revoked: TrustedKey | undefined;
  let failed: TrustedKey | undefined;
  const wrongRole: TrustedKey[] = [];
  const unknown: string[] = [];

  for (const { keyid, sig } of signatures) {
    const key = ctx.lookupKey(keyid);
    // A store that answers with a different key (say, a prefix match) must not lend it trust.
    if (!key || key.keyid !== keyid) {
      unknown.push(keyid);
      continue;
    }
    if (!verifyEd25519(key.publicKey, message, sig)) {
      if (key.role === ctx.requiredRole) failed ??= key;
      continue;
    }
    if (!keyValidAt(key, ctx.signedAt)) {
      if (key.role === ctx.requiredRole) revoked ??= key;
      continue;
    }
    if (key.role !== ctx.requiredRole) wrongRole.push(key);
    accepted.push({ keyid: key.keyid, name: key.name, role: key.role });
  }

  const required = accepted.filter((s) => s.role === ctx.requiredRole);
  if (required.length > 0) {
    // Required-role signers first: callers show the first as "the" publisher.
    return ok(required.length === accepted.length ? required : [...required, ...accepted.filter((s) => s.role !== ctx.requiredRole)]);
  }
  if (revoked) {
    const when = revoked.revokedAt ? revoked.revokedAt.toISOString() : 'an unknown time';
    return err('KEY_REVOKED', `key ${short(revoked.keyid)} ("${revoked.name}") was revoked at ${when}, before this signature was first seen (${ctx.signedAt.toISOString()})`);
  }
  if (failed) {
    return err('SIGNATURE_INVALID', `the signature by trusted key ${short(failed.keyid)} ("${failed.name}") does not verify`);
  }
  if (wrongRole.length > 0) {
    const k = wrongRole[0]!;
    return err('UNTRUSTED_KEY', `key ${short(k.keyid)} ("${k.name}") is trusted as ${k.role}, but a ${ctx.requiredRole} signature is required`);
  }
  const ids = unknown.map(short).join(', ');
  return err('UNTRUSTED_KEY', `no signature is by a ${ctx.requiredRole} key in the trust store (unknown key(s): ${ids || 'none'})`);
}
