/**
 * Test support (not shipped behaviour): signs requests' modules as bundles with a publisher key made
 * here, so an execution node (which verifies every module against its own trust store) runs them,
 * and gives that node's trust store: exactly this publisher.
 */
import { generateKeyPair } from '../../crypto/ed25519';
import { keyIdOf } from '../../crypto/keys';
import { serializeEnvelope } from '../../module/dsse';
import { createManifest, signManifest } from '../../module/sign';
import type { TrustedKey } from '../../module/types';
import type { ModuleProvenance, RunRequest } from '../types';

export function testPublisher(key = generateKeyPair()) {
  const keyid = keyIdOf(key.publicKey);
  const trusted: TrustedKey = { keyid, name: 'test publisher', role: 'publisher', publicKey: key.publicKey, status: 'active', revokedAt: null };
  const byDigest = new Map<string, ModuleProvenance>();
  const provenanceOf = (wasm: Uint8Array, digest: string): ModuleProvenance => {
    let p = byDigest.get(digest);
    if (!p) {
      const manifest = createManifest(wasm, { name: `m-${digest.slice(0, 12)}`, version: '1.0.0' });
      if (!manifest.ok) throw new Error(manifest.message);
      const envelope = signManifest(manifest.value, null, key.seed);
      if (!envelope.ok) throw new Error(envelope.message);
      byDigest.set(digest, (p = { source: 'bundle', manifest: JSON.stringify(manifest.value), envelope: serializeEnvelope(envelope.value) }));
    }
    return p;
  };
  return {
    key,
    keyid,
    /** The node's trust store: this publisher only. */
    publishers: (id: string): TrustedKey | undefined => (id === keyid ? trusted : undefined),
    /** The request with its module signed by this publisher. */
    signed: (req: RunRequest): RunRequest => ({ ...req, provenance: provenanceOf(req.wasm, req.wasmSha256) }),
  };
}
