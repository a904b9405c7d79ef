/**
 * Verification of a module bundle v1: pure, no I/O. Trust comes only from ctx.lookupKey (the
 * trust store); a key id in the envelope only says which stored key to try.
 * Order: manifest → envelope/payload → wasm digest → signatures → wasm validity → anti-rollback.
 */
import semver from 'semver';
import { timingSafeEqual } from 'node:crypto';
import { ok, err, type Result } from '../result';
import { sha256Hex, timingSafeEqualHex } from '../crypto/digest';
import { ZManifestSchema, describeIssues, type TManifest } from './manifest';
import type { BundleInput, Signer, VerifiedModule, VerifyCode, VerifyContext } from './types';
import { canonicalJson } from './canonical';
import { parseEnvelope, preAuthEncoding, MANIFEST_PAYLOAD_TYPE } from './dsse';
import { checkSignatures } from './signers';
import { ParseCache } from './parse-cache';

// The shared types live in ./types so that ./signers can use them without importing this file
// (which imports ./signers): no cycle. Re-exported because callers think of them as the verifier's.
export { VERIFY_CODES } from './types';
export type { VerifyCode, KeyRole, TrustedKey, VerifyContext, Signer, VerifiedModule, BundleInput } from './types';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Parses nightcore.json and validates it, reporting every bad field at once. */
export function parseManifestText(text: string): Result<TManifest, 'MANIFEST_INVALID'> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return err('MANIFEST_INVALID', `nightcore.json is not JSON: ${(e as Error).message}`);
  }
  const parsed = ZManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return err('MANIFEST_INVALID', `nightcore.json has ${issues.length} invalid field(s)`, issues);
  }
  return ok(parsed.data);
}

/** A manifest as verification uses it: parsed, in canonical form (what the signatures cover) and that form's SHA-256. */
export interface CanonicalManifest {
  manifest: TManifest;
  canonical: string;
  sha256: string;
}
interface LoadedManifest extends CanonicalManifest {
  /** The pinned wasm digest as bytes, so checking it on every call allocates nothing. */
  pin: Buffer;
}
interface LoadedEnvelope {
  signatures: readonly { keyid: string; sig: Uint8Array }[];
  /** null when the payload is not UTF-8 (it then cannot equal any manifest). */
  payloadText: string | null;
  pae: Uint8Array;
}
type Loaded<T, C extends VerifyCode> = Result<T, C>;

const manifestCache = new ParseCache<Loaded<LoadedManifest, 'MANIFEST_INVALID'>>();
const envelopeCache = new ParseCache<Loaded<LoadedEnvelope, 'ENVELOPE_INVALID'>>();

function loadManifest(text: string): Loaded<LoadedManifest, 'MANIFEST_INVALID'> | undefined {
  const manifest = parseManifestText(text);
  if (!manifest.ok) return manifest;
  const canonical = canonicalJson(manifest.value);
  if (!canonical.ok) return err('MANIFEST_INVALID', canonical.message);
  const pin = Buffer.from(manifest.value.wasm.sha256, 'hex'); // the schema allows only 64 lower-case hex digits
  return ok({ manifest: manifest.value, canonical: canonical.value, sha256: sha256Hex(canonical.value), pin });
}

const digestScratch = Buffer.alloc(32);

/** Constant-time comparison of a computed digest (lower-case hex, as sha256Hex returns) with the pin. */
function matchesPin(wasmSha256: string, pin: Buffer): boolean {
  return digestScratch.write(wasmSha256, 'hex') === pin.length && timingSafeEqual(digestScratch, pin);
}

function loadEnvelope(text: string): Loaded<LoadedEnvelope, 'ENVELOPE_INVALID'> | undefined {
  const envelope = parseEnvelope(text);
  if (!envelope.ok) return envelope;
  let payloadText: string | null;
  try {
    payloadText = decoder.decode(envelope.value.payload);
  } catch {
    payloadText = null;
  }
  const pae = preAuthEncoding(MANIFEST_PAYLOAD_TYPE, envelope.value.payload);
  return ok({ signatures: envelope.value.signatures, payloadText, pae });
}

export function verifyBundle(input: BundleInput, ctx: VerifyContext): Result<VerifiedModule, VerifyCode> {
  const manifest = manifestCache.get(input.manifestText, loadManifest)!;
  if (!manifest.ok) return manifest;
  const { manifest: m, canonical, pin } = manifest.value;

  const envelope = envelopeCache.get(input.envelopeText, loadEnvelope)!;
  if (!envelope.ok) return envelope;
  if (envelope.value.payloadText !== canonical) {
    return err('SIGNATURE_INVALID', 'the signatures cover a different manifest than nightcore.json (the manifest or the envelope payload was changed)');
  }

  const wasmSha256 = sha256Hex(input.wasm);
  if (!matchesPin(wasmSha256, pin)) {
    return err('DIGEST_MISMATCH', `module.wasm has SHA-256 ${wasmSha256} but nightcore.json pins ${m.wasm.sha256}`);
  }

  const signers = checkSignatures(envelope.value.signatures, envelope.value.pae, ctx);
  if (!signers.ok) return signers;

  return finishVerification(input.wasm, wasmSha256, manifest.value, signers.value, 'bundle', ctx);
}

/** The checks shared by bundles and legacy folders once the signature is accepted. */
export function finishVerification(
  wasm: Uint8Array,
  wasmSha256: string,
  { manifest, canonical, sha256 }: CanonicalManifest,
  signers: Signer[],
  source: VerifiedModule['source'],
  ctx: VerifyContext,
): Result<VerifiedModule, VerifyCode> {
  // The cast only narrows the buffer type for the DOM typings; validate reads the view either way.
  if (!WebAssembly.validate(wasm as Uint8Array<ArrayBuffer>)) {
    return err('WASM_INVALID', `module.wasm is signed but is not a valid WebAssembly module (${wasm.length} bytes)`);
  }
  const rollback = checkRollback(manifest, wasmSha256, ctx.highestAccepted);
  if (!rollback.ok) return rollback;
  const older = (ctx.acceptedVersionsOfDigest ?? []).filter((v) => semver.valid(v) && semver.lt(v, manifest.version));
  if (older.length > 0) {
    return err(
      'CODE_REUSED',
      `${manifest.name} ${manifest.version} carries the same code (sha256 ${wasmSha256}) already accepted as ${older.sort(semver.compare).join(', ')}; old code cannot return as a newer version`,
    );
  }
  return ok({ manifest, manifestCanonical: canonical, manifestSha256: sha256, wasmSha256, signers, source });
}

function checkRollback(
  manifest: TManifest,
  wasmSha256: string,
  highest: VerifyContext['highestAccepted'],
): Result<true, 'ROLLBACK' | 'VERSION_REUSED'> {
  if (!highest) return ok(true);
  const order = semver.compare(manifest.version, highest.version);
  if (order < 0) {
    return err('ROLLBACK', `${manifest.name} ${manifest.version} is older than the accepted ${highest.version}; downgrades are refused`);
  }
  if (order === 0 && !timingSafeEqualHex(wasmSha256, highest.wasmSha256)) {
    return err(
      'VERSION_REUSED',
      `${manifest.name} ${manifest.version} was already accepted with different code (sha256 ${highest.wasmSha256}); publish a new version`,
    );
  }
  return ok(true);
}
