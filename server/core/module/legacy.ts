/**
 * Import of a Night Core Worker tenant folder (the earlier Rust runtime): module.wasm,
 * module.sig (base64 Ed25519 over the raw wasm bytes), pubkey.b64, module.sha256 and an unsigned
 * manifest.json such as {"name","version","description","permissions","fuel_limit","timeout_ms"}.
 * The shipped pubkey.b64 only names which trust-store key to use; verification uses the stored key.
 * Only name, version and description are taken from manifest.json (it is unsigned); everything
 * else gets Night Core's defaults, so a legacy module never asks for more than a new one would.
 */
import semver from 'semver';
import { z } from 'zod';
import { ok, err, type Result } from '../result';
import { sha256Hex, timingSafeEqualHex } from '../crypto/digest';
import { decodeBase64Strict, keyIdOf, parsePublicKeyFile } from '../crypto/keys';
import { canonicalJson } from './canonical';
import { createManifest } from './sign';
import { checkSignatures } from './signers';
import { finishVerification, type VerifiedModule, type VerifyCode, type VerifyContext } from './verify';

export interface LegacyTenantInput {
  wasm: Uint8Array;
  sigText: string;
  pubkeyText: string;
  sha256Text: string;
  /** '' when the folder has no manifest.json (some Worker tenants ship none). */
  manifestText: string;
  folderName: string;
}

/** Version given to a legacy module whose manifest names none: lowest, so any real version supersedes it. */
export const LEGACY_DEFAULT_VERSION = '0.0.0';

// Lenient: unknown fields (permissions, fuel_limit, timeout_ms, ...) are allowed and ignored.
const ZLegacyManifestSchema = z.looseObject({
  name: z.string().optional(),
  version: z.union([z.string(), z.number()]).optional(),
  description: z.string().optional(),
});

/** "tenantA-hello" → "tenanta-hello": v1 names are lower-case and limited to [a-z0-9._-]. */
function normalizeName(raw: string): string {
  return raw.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 64);
}

/** Name, version and description of a legacy folder; the registry uses the same name for history. */
export function legacyIdentity(manifestText: string, folderName: string): Result<{ name: string; version: string; description: string }, 'MANIFEST_INVALID'> {
  let raw: unknown = {};
  if (manifestText.trim() !== '') {
    try {
      raw = JSON.parse(manifestText);
    } catch (e) {
      return err('MANIFEST_INVALID', `manifest.json is not JSON: ${(e as Error).message}`);
    }
  }
  const parsed = ZLegacyManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    return err('MANIFEST_INVALID', 'manifest.json has invalid fields', issues);
  }
  const name = normalizeName(parsed.data.name ?? '') || normalizeName(folderName);
  const rawVersion = parsed.data.version === undefined ? LEGACY_DEFAULT_VERSION : String(parsed.data.version);
  // "1.0" or "v2" are common in hand-written manifests; coerce, but never invent a version from garbage.
  const version = semver.valid(rawVersion) ?? semver.valid(semver.coerce(rawVersion));
  if (!version) return err('MANIFEST_INVALID', `manifest.json version "${rawVersion}" is not a version number`);
  return ok({ name, version, description: (parsed.data.description ?? '').slice(0, 2000) });
}

/**
 * Where a legacy module's unsigned facts came from, recorded at import (audit event and stored row)
 * and carried in every decision record: its signature covers only the wasm bytes, so its name and
 * version are a claim of the folder, vouched for by the admin who imported it.
 */
export interface LegacyOrigin {
  readonly format: 'nightcore.legacy-signature/v1';
  readonly folderName: string;
  /** SHA-256 of manifest.json exactly as imported ('' hashed when the folder had none). */
  readonly unsignedManifestSha256: string;
}

export function legacyOrigin(input: Pick<LegacyTenantInput, 'folderName' | 'manifestText'>): LegacyOrigin {
  return { format: 'nightcore.legacy-signature/v1', folderName: input.folderName, unsignedManifestSha256: sha256Hex(input.manifestText) };
}

export function verifyLegacyTenant(input: LegacyTenantInput, ctx: VerifyContext): Result<VerifiedModule, VerifyCode> {
  const identity = legacyIdentity(input.manifestText, input.folderName);
  if (!identity.ok) return identity;
  const manifest = createManifest(input.wasm, identity.value);
  if (!manifest.ok) return err('MANIFEST_INVALID', `cannot build a manifest for legacy folder ${input.folderName}`, manifest.issues);

  // module.sha256 is "<hex>" possibly followed by whitespace and a file name (sha256sum style), any case.
  const declared = input.sha256Text.trim().split(/\s+/)[0] ?? '';
  const wasmSha256 = manifest.value.wasm.sha256;
  if (!/^[0-9a-fA-F]{64}$/.test(declared)) {
    return err('DIGEST_MISMATCH', `module.sha256 does not hold a SHA-256 hex digest (found "${declared.slice(0, 80)}")`);
  }
  if (!timingSafeEqualHex(wasmSha256, declared)) {
    return err('DIGEST_MISMATCH', `module.wasm has SHA-256 ${wasmSha256} but module.sha256 says ${declared.toLowerCase()}`);
  }

  const shipped = parsePublicKeyFile(input.pubkeyText);
  if (!shipped.ok) return err('UNTRUSTED_KEY', `pubkey.b64 does not name a key: ${shipped.message}`);
  const sig = decodeBase64Strict(input.sigText.trim());
  if (!sig || sig.length !== 64) return err('SIGNATURE_INVALID', 'module.sig is not the base64 of a 64-byte Ed25519 signature');

  const signers = checkSignatures([{ keyid: keyIdOf(shipped.value), sig }], input.wasm, ctx);
  if (!signers.ok) return signers;

  const canonical = canonicalJson(manifest.value);
  if (!canonical.ok) return err('MANIFEST_INVALID', canonical.message);
  const loaded = { manifest: manifest.value, canonical: canonical.value, sha256: sha256Hex(canonical.value) };
  return finishVerification(input.wasm, wasmSha256, loaded, signers.value, 'legacy', ctx);
}
