/**
 * Creating and signing module bundle v1 manifests. The manifest pins the wasm digest and the
 * requested limits; the DSSE envelope signs its canonical (JCS) bytes.
 */
import { ok, err, type Result } from '../result';
import { sha256Hex } from '../crypto/digest';
import { publicKeyFromSeed, signEd25519, SEED_BYTES } from '../crypto/ed25519';
import { encodeBase64, keyIdOf } from '../crypto/keys';
import { canonicalJson } from './canonical';
import { MANIFEST_FORMAT, ZManifestSchema, describeIssues, type Capability, type TLimits, type TManifest } from './manifest';
import {
  MANIFEST_PAYLOAD_TYPE,
  parseEnvelope,
  parseEnvelopeValue,
  preAuthEncoding,
  type TEnvelope,
} from './dsse';

export const DEFAULT_TENANT = 'default';
export const DEFAULT_ENTRY = '_start';
export const DEFAULT_CAPABILITIES: readonly Capability[] = ['stdout', 'stderr', 'exit'];
export const DEFAULT_LIMITS: TLimits = { fuel: 100_000_000, memoryPages: 16, wallMs: 2000, outputBytes: 1_048_576 };

export interface ManifestFields {
  name: string;
  version: string;
  tenant?: string | undefined;
  description?: string | undefined;
  entry?: string | undefined;
  capabilities?: readonly Capability[] | undefined;
  /** Any limit left undefined takes its default. */
  limits?: { [K in keyof TLimits]?: number | undefined } | undefined;
}

export type CreateManifestCode = 'MANIFEST_INVALID';
export type SignCode = 'MANIFEST_INVALID' | 'ENVELOPE_INVALID' | 'PAYLOAD_MISMATCH' | 'KEY_INVALID';

/** Builds a manifest for these wasm bytes, filling defaults, and validates it (every bad field listed). */
export function createManifest(wasm: Uint8Array, fields: ManifestFields): Result<TManifest, CreateManifestCode> {
  const limits = { ...DEFAULT_LIMITS };
  // tableElements has no default here: a manifest that does not ask gets DEFAULT_TABLE_ELEMENTS.
  for (const key of [...Object.keys(DEFAULT_LIMITS), 'tableElements'] as (keyof TLimits)[]) {
    const given = fields.limits?.[key];
    if (given !== undefined) limits[key] = given;
  }
  const candidate = {
    format: MANIFEST_FORMAT,
    name: fields.name,
    version: fields.version,
    tenant: fields.tenant ?? DEFAULT_TENANT,
    description: fields.description ?? '',
    entry: fields.entry ?? DEFAULT_ENTRY,
    capabilities: [...(fields.capabilities ?? DEFAULT_CAPABILITIES)],
    limits,
    wasm: { sha256: sha256Hex(wasm) },
  };
  const parsed = ZManifestSchema.safeParse(candidate);
  if (!parsed.success) return err('MANIFEST_INVALID', 'the manifest has invalid fields', describeIssues(parsed.error));
  return ok(parsed.data);
}

/** The exact bytes a bundle signature covers: PAE(payloadType, JCS(manifest)). */
export function manifestSigningInput(canonicalManifest: string): { payload: Uint8Array; pae: Uint8Array } {
  const payload = new TextEncoder().encode(canonicalManifest);
  return { payload, pae: preAuthEncoding(MANIFEST_PAYLOAD_TYPE, payload) };
}

/**
 * Adds this key's signature to the envelope (or replaces its earlier one); other signatures are
 * kept. Refuses an envelope that signs a different manifest: its signatures would silently
 * become void, and dropping other people's signatures must be a deliberate act.
 */
export function signManifest(
  manifest: TManifest,
  envelope: TEnvelope | string | null,
  seed: Uint8Array,
): Result<TEnvelope, SignCode> {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
    return err('KEY_INVALID', `an Ed25519 seed is exactly ${SEED_BYTES} bytes`);
  }
  const valid = ZManifestSchema.safeParse(manifest);
  if (!valid.success) return err('MANIFEST_INVALID', 'refusing to sign a manifest with invalid fields', describeIssues(valid.error));
  const canonical = canonicalJson(valid.data);
  if (!canonical.ok) return err('MANIFEST_INVALID', canonical.message);
  const { payload, pae } = manifestSigningInput(canonical.value);
  const payloadB64 = encodeBase64(payload);

  let signatures: TEnvelope['signatures'] = [];
  if (envelope !== null) {
    const existing = typeof envelope === 'string' ? parseEnvelope(envelope) : parseEnvelopeValue(envelope);
    if (!existing.ok) return existing;
    if (existing.value.envelope.payload !== payloadB64) {
      return err(
        'PAYLOAD_MISMATCH',
        'the existing envelope signs a different manifest; its signatures would be void (remove nightcore.sig.json to start over)',
      );
    }
    signatures = existing.value.envelope.signatures;
  }

  const keyid = keyIdOf(publicKeyFromSeed(seed));
  const entry = { keyid, sig: encodeBase64(signEd25519(seed, pae)) };
  const index = signatures.findIndex((s) => s.keyid === keyid);
  const next = index === -1 ? [...signatures, entry] : signatures.map((s, i) => (i === index ? entry : s));
  return ok({ payloadType: MANIFEST_PAYLOAD_TYPE, payload: payloadB64, signatures: next });
}
