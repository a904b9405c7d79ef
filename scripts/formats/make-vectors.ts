/**
 * Writes the conformance vectors of the formats a verifier checks beyond their schema (signatures,
 * hashes, periods): decision records (real ones, from testdata/records), checkpoints, checkpoint
 * notes, inclusion and consistency proofs, server key rotations, backup statements, DSSE envelopes
 * (the example bundle's manifest) and signed approvals.
 *
 *   node bin/run-ts.mjs scripts/formats/make-vectors.ts [file stem ...]   e.g. dsse-envelope.v1
 *
 * With stems, only those files are written (the others keep their committed keys and signatures).
 *
 * Signed vectors are made by a real log in memory, with keys generated here and thrown away (only
 * public keys are written). Re-running makes new keys and signatures for the same cases; the test
 * (scripts/formats/formats.test.ts) checks whatever is committed against the readers.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openMemoryDatabase } from '../../db/client';
import { AuditLog } from '../../server/services/audit-log';
import { proveConsistency, proveInclusion } from '../../server/services/audit-proofs';
import { signCheckpoint } from '../../server/core/audit/checkpoint';
import { signTreeHead } from '../../server/core/audit/checkpoint-note';
import { keyHash, signatureLine, signNote } from '../../server/core/audit/signed-note';
import { formatCheckpointBody } from '../../server/core/audit/tlog-checkpoint';
import { encodeBase64 } from '../../server/core/crypto/keys';
import { BACKUP_FORMAT, backupStatementBytes, type BackupStatement } from '../../server/services/backup-statement';
import { testEd25519Key, type TestKey } from '../../server/core/audit/test-support';
import { MANIFEST_PAYLOAD_TYPE, preAuthEncoding } from '../../server/core/module/dsse';
import { canonicalJson } from '../../server/core/module/canonical';
import { signingBytes, type TApprovalStatement } from '../../server/core/inbox/statement';
import { FORMATS_DIR } from './generate';

const ROOT = join(import.meta.dirname ?? __dirname, '..', '..');
const ABOUT =
  'Conformance vectors: each value with the result a conforming reader must give. `valid` is the result of Night Core\'s own reader (named in `reader`: it checks signatures, hashes and key periods where the format has them), and `code` its error code. `schema`, when present, is what the zod schema (and so the published JSON Schema) answers where that differs from the reader, e.g. a well-formed document with a bad signature; `jsonSchema` is the JSON Schema\'s answer where it differs from zod. `why` says why.';

type Vector = { description: string; valid: boolean; code?: string; schema?: boolean; jsonSchema?: boolean; why?: string; value: unknown } & Record<string, unknown>;
const only = process.argv.slice(2);
const write = (name: string, body: Record<string, unknown>, vectors: Vector[]) => {
  if (only.length > 0 && !only.includes(name)) return;
  writeFileSync(join(FORMATS_DIR, 'vectors', `${name}.json`), `${JSON.stringify({ ...body, about: ABOUT, vectors }, null, 2)}\n`);
  console.log(`wrote docs/formats/vectors/${name}.json (${vectors.length} vectors)`);
};
const pub = (k: TestKey) => encodeBase64(k.publicKey);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const SIGNED = 'well formed: only the signature check fails';

// --- decision records: real ones, as each published version wrote them --------------------------
{
  const vectors: Vector[] = [];
  const records = join(ROOT, 'testdata', 'records');
  let newest: Record<string, unknown> | undefined;
  for (const version of readdirSync(records).sort()) {
    const events = readFileSync(join(records, version, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; payload: Record<string, unknown> });
    const decided = events.filter((e) => e.action === 'run.decided').map((e) => e.payload);
    const allowed = decided.find((r) => r.decision === 'allow')!;
    const denied = decided.find((r) => r.decision === 'deny' && r.execution === null)!;
    vectors.push({ description: `an allowed run, as ${version} wrote it (testdata/records/${version})`, valid: true, value: allowed });
    vectors.push({ description: `a run denied before it ran, as ${version} wrote it`, valid: true, value: denied });
    if (version === 'fef56ac') newest = allowed;
  }
  const base = newest!;
  const as = (description: string, change: (r: Record<string, any>) => void, extra: Partial<Vector> = {}): Vector => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const value = clone(base);
    change(value);
    return { description, valid: false, code: 'RECORD_INVALID', value, ...extra };
  };
  const refine = (why: string) => ({ jsonSchema: true, why });
  vectors.push(
    { description: 'a field a later v1 writer may add (readers ignore what they do not know)', valid: true, value: { ...clone(base), addedLater: { anything: true } } },
    as('another format version', (r) => (r.format = 'nightcore.decision/v2')),
    as('without its policy', (r) => delete r.policy),
    as('an outcome no release wrote', (r) => (r.execution.outcome = { kind: 'exploded' })),
    as('a rule id no release wrote', (r) => (r.pre.rules[0].id = 'made_up_rule')),
    as('an upper-case wasm digest', (r) => (r.module.wasmSha256 = String(r.module.wasmSha256).toUpperCase())),
    as('a seed that is not a decimal number', (r) => (r.input.seed = '0x1f')),
    as('a seed of 2^64', (r) => (r.input.seed = '18446744073709551616'), refine('a 64-bit range is beyond a JSON Schema pattern')),
    as('a start time that is no real instant', (r) => (r.startedAt = '2026-02-30T10:00:00.000Z'), refine('calendar validity is beyond a JSON Schema pattern')),
    as('allow, yet nothing ran', (r) => Object.assign(r, { execution: null, post: null }), refine('cross-field rule (allow needs pre allow, an execution and post allow)')),
    as('a post-exec verdict without an execution', (r) => (r.execution = null), refine('cross-field rule (post is null exactly when execution is)')),
    as('a quarantine on an allow', (r) => (r.quarantine = { source: 'threat', reason: 'x' }), refine('cross-field rule (a run that quarantined is a deny)')),
  );
  write('decision-record.v1', { format: 'nightcore.decision/v1', reader: 'parseDecisionRecord (server/core/guardian/decision-record-schema.ts)' }, vectors);
}

// --- a log that rotated its key: checkpoints, notes, the rotation ---------------------------------
const former = testEd25519Key();
const current = testEd25519Key();
const stranger = testEd25519Key();
const handle = openMemoryDatabase();
const log = new AuditLog(handle.sqlite, { serverKey: former, checkpointEvery: 1_000_000, checkpointIntervalMs: 3_600_000 });
const add = (n: number) => log.appendMany(Array.from({ length: n }, (_, i) => ({ actor: 'vectors', action: 'audit.verified' as const, subject: `v:${i}`, payload: { i } })));
add(5);
const cp5 = log.checkpoint()!;
const legacy3 = signCheckpoint({ seq: 3, hash: log.event(3)!.hash }, log.event(3)!.time, former);
const rotation = log.rotateKey(current, 'vectors');
const cp6 = log.latestCheckpoint()!;
add(1);
const head7 = log.head();
const rootOf = (seq: number) => log.tree.root(seq);
const afterRetirement = { ...signCheckpoint(head7, log.event(7)!.time, former), root: Buffer.from(rootOf(7)).toString('hex'), note: signTreeHead({ origin: log.origin, size: 7, root: rootOf(7) }, former) };
const byStranger = { ...signCheckpoint(head7, log.event(7)!.time, stranger), root: Buffer.from(rootOf(7)).toString('hex'), note: signTreeHead({ origin: log.origin, size: 7, root: rootOf(7) }, stranger) };
const keys = {
  former: { publicKey: pub(former), fromSeq: 1, untilSeq: rotation.seq - 1 },
  current: { publicKey: pub(current), fromSeq: rotation.seq, untilSeq: null },
};
{
  const strip = ({ seq, hash, time, keyid, signature, root, note }: typeof cp5) => ({ seq, hash, time, keyid, signature, root, note });
  write(
    'audit-checkpoint.v1',
    { format: 'nightcore.audit-checkpoint/v1', reader: 'checkpointCheckFor(keys) (server/core/audit/key-periods.ts): the period, then verifyCheckpointSignature', origin: log.origin, keys },
    [
      { description: 'signed by the former key within its period, with its signed tree head', valid: true, value: strip(cp5) },
      { description: 'signed by the current key: the first checkpoint after the rotation', valid: true, value: strip(cp6) },
      { description: 'an older checkpoint without a tree head (written before the Merkle tree existed)', valid: true, value: legacy3 },
      { description: 'signed by the former key after its retirement', valid: false, code: 'KEY_OUTSIDE_PERIOD', schema: true, why: 'the period is the reader\'s (key history), not the document\'s', value: afterRetirement },
      { description: 'signed by a key that is no server key of this log', valid: false, code: 'UNKNOWN_KEY', schema: true, why: SIGNED, value: byStranger },
      { description: 'its chain hash changed after signing', valid: false, code: 'SIGNATURE_INVALID', schema: true, why: SIGNED, value: { ...strip(cp6), hash: 'f'.repeat(64) } },
      { description: 'its tree root changed (the signed note names another)', valid: false, code: 'NOTE_INVALID', schema: true, why: SIGNED, value: { ...strip(cp6), root: '0'.repeat(64) } },
      { description: 'a tree root without its signed note', valid: false, code: 'NOTE_INVALID', schema: true, why: 'the pairing is a reader rule', value: { ...strip(cp6), note: null } },
      { description: 'a signature that is not 64 bytes', valid: false, code: 'MALFORMED_SIGNATURE', schema: true, why: 'the length is checked when decoding', value: { ...strip(cp6), signature: 'AAAA' } },
      { description: 'a chain hash that is not hex', valid: false, code: 'CHECKPOINT_MALFORMED', value: { ...strip(cp6), hash: 'not-a-hash' } },
    ],
  );
}
{
  const note = cp5.note!;
  const cosigned = note + signatureLine('witness.example/w1', keyHash('witness.example/w1', 0x04, stranger.publicKey), stranger.sign(new TextEncoder().encode('x')));
  const body = formatCheckpointBody({ origin: log.origin, size: 5, root: rootOf(5) });
  write(
    'checkpoint-note.v1',
    { format: 'C2SP signed note carrying a tlog-checkpoint body', reader: 'openCheckpoint(note, { name: origin, publicKey }) (server/core/audit/checkpoint-note.ts)', origin: log.origin, key: pub(former) },
    [
      { description: 'a tree head signed by the log key', valid: true, value: note },
      { description: 'with a witness cosignature line after it (other keys\' lines are ignored)', valid: true, value: cosigned },
      { description: 'its size changed after signing', valid: false, code: 'NOTE_SIGNATURE_INVALID', value: note.replace(`\n5\n`, '\n6\n') },
      { description: 'for another log (origin)', valid: false, code: 'ORIGIN_MISMATCH', value: signTreeHead({ origin: 'other.example/log', size: 5, root: rootOf(5) }, former) },
      { description: 'an extension line in the body', valid: false, code: 'CHECKPOINT_BODY_MALFORMED', value: signNote(`${body}extension\n`, { name: log.origin, publicKey: former.publicKey }, (m) => former.sign(m)) },
      { description: 'signed only by another key under the log\'s name', valid: false, code: 'NOTE_UNSIGNED', value: signTreeHead({ origin: log.origin, size: 5, root: rootOf(5) }, stranger) },
      { description: 'no blank line before the signatures', valid: false, code: 'NOTE_MALFORMED', value: note.replace('\n\n', '\n') },
    ],
  );
}
{
  const payload = JSON.parse(log.event(rotation.seq)!.payload) as { statement: Record<string, unknown>; fromSignature: string; toSignature: string };
  const byStrangerTo = { ...payload, toSignature: encodeBase64(stranger.sign(new TextEncoder().encode('not the statement'))) };
  write(
    'server-key-rotation.v1',
    { format: 'nightcore.server-key-rotation/v1', reader: 'openRotation(record, keys[fromKey ?? "former"]) (server/core/audit/key-rotation.ts)', keys: { former: pub(former), current: pub(current) } },
    [
      { description: 'a rotation both keys signed (the payload of server.key_rotated)', valid: true, value: payload },
      { description: 'the handover point moved after signing', valid: false, code: 'ROTATION_INVALID', schema: true, why: SIGNED, value: { ...payload, statement: { ...payload.statement, seq: 99 } } },
      { description: 'the new key\'s signature is not over this statement', valid: false, code: 'ROTATION_INVALID', schema: true, why: SIGNED, value: byStrangerTo },
      { description: 'checked against a key it is not from', valid: false, code: 'ROTATION_INVALID', schema: true, why: 'the former key is the reader\'s input', fromKey: 'current', value: payload },
      { description: 'without the new key\'s signature', valid: false, code: 'ROTATION_INVALID', value: { statement: payload.statement, fromSignature: payload.fromSignature } },
    ],
  );
}

// --- proofs: a log with checkpoints at 13 and 20 --------------------------------------------------
{
  const key = testEd25519Key();
  const proofs = new AuditLog(openMemoryDatabase().sqlite, { serverKey: key, checkpointEvery: 1_000_000, checkpointIntervalMs: 3_600_000 });
  const fill = (n: number) => proofs.appendMany(Array.from({ length: n }, (_, i) => ({ actor: 'vectors', action: 'audit.verified' as const, subject: `p:${i}`, payload: { i } })));
  fill(13);
  proofs.checkpoint();
  fill(7);
  proofs.checkpoint();
  const must = <T>(r: { ok: true; value: T } | { ok: false; message: string }): T => {
    if (!r.ok) throw new Error(r.message);
    return r.value;
  };
  const in20 = must(proveInclusion(proofs, 7, 20));
  const in13 = must(proveInclusion(proofs, 13, 13));
  const other = testEd25519Key();
  const header = { origin: proofs.origin, key: pub(key) };
  write('audit-inclusion-proof.v1', { format: 'nightcore.audit-inclusion/v1', reader: 'verifyInclusionBundle(bundle, { name: origin, publicKey: key }) (server/core/audit/proof-bundle.ts)', ...header }, [
    { description: 'event 7 in the tree of size 20', valid: true, value: in20 },
    { description: 'the last event of the tree of size 13', valid: true, value: in13 },
    { description: 'the event\'s subject edited', valid: false, code: 'EVENT_HASH_MISMATCH', schema: true, why: 'the hash is recomputed by the reader', value: { ...in20, event: { ...in20.event, subject: 'p:edited' } } },
    { description: 'a proof hash replaced', valid: false, code: 'INCLUSION_INVALID', schema: true, why: 'the path is checked by the reader', value: { ...in20, proof: [in13.proof[0] ?? in20.proof[1], ...in20.proof.slice(1)] } },
    { description: 'the leaf index is not seq - 1', valid: false, code: 'BUNDLE_MALFORMED', schema: true, why: 'a cross-field rule', value: { ...in20, leafIndex: 5 } },
    { description: 'a tree size the checkpoint does not have', valid: false, code: 'BUNDLE_MALFORMED', schema: true, why: 'the size is the signed note\'s', value: { ...in20, treeSize: 19 } },
    { description: 'a checkpoint signed by another key', valid: false, code: 'NOTE_UNSIGNED', schema: true, why: SIGNED, value: { ...in20, checkpoint: signTreeHead({ origin: proofs.origin, size: 20, root: proofs.tree.root(20) }, other) } },
    { description: 'another bundle type', valid: false, code: 'BUNDLE_MALFORMED', value: { ...in20, type: 'nightcore.audit-consistency/v1' } },
  ]);
  const c = must(proveConsistency(proofs, 13, 20));
  write('audit-consistency-proof.v1', { format: 'nightcore.audit-consistency/v1', reader: 'verifyConsistencyBundle(bundle, { name: origin, publicKey: key }) (server/core/audit/proof-bundle.ts)', ...header }, [
    { description: 'the tree of size 20 extends the tree of size 13', valid: true, value: c },
    { description: 'old and new swapped (a rollback)', valid: false, code: 'CONSISTENCY_INVALID', schema: true, why: 'the reader compares the signed sizes', value: { ...c, oldCheckpoint: c.newCheckpoint, newCheckpoint: c.oldCheckpoint } },
    { description: 'a proof hash replaced', valid: false, code: 'CONSISTENCY_INVALID', schema: true, why: 'the proof is checked by the reader', value: { ...c, proof: [...c.proof.slice(1), c.proof[0]!] } },
    { description: 'a proof hash that is not base64 SHA-256', valid: false, code: 'BUNDLE_MALFORMED', value: { ...c, proof: ['not-a-hash'] } },
  ]);
}

// --- backup statements --------------------------------------------------------------------------------
{
  const key = testEd25519Key();
  const statement: BackupStatement = { format: BACKUP_FORMAT, createdAt: '2026-12-02T20:00:00.000Z', schema: '0025_server_keys', headSeq: 1234, headHash: 'a'.repeat(64), serverKeyId: key.keyid, secrets: {} };
  const withSecrets: BackupStatement = { ...statement, secrets: { 'server-key.json': 'b'.repeat(64), 'auth-secret': 'c'.repeat(64) } };
  const sig = (s: BackupStatement) => encodeBase64(key.sign(backupStatementBytes(s)));
  const other = testEd25519Key();
  write('backup-statement.v1', { format: BACKUP_FORMAT, reader: 'openBackupStatement(JSON text, signature, key) (server/services/backup-statement.ts)', key: pub(key) }, [
    { description: 'a backup without secrets', valid: true, signature: sig(statement), value: statement },
    { description: 'a --with-secrets backup (the digests of the secret files it carries)', valid: true, signature: sig(withSecrets), value: withSecrets },
    { description: 'the head changed after signing (events cut off)', valid: false, code: 'STATEMENT_INVALID', schema: true, why: SIGNED, signature: sig(statement), value: { ...statement, headSeq: 1000 } },
    { description: 'naming another server key than the one that checks it', valid: false, code: 'STATEMENT_INVALID', schema: true, why: 'the key is the reader\'s input', signature: encodeBase64(other.sign(backupStatementBytes({ ...statement, serverKeyId: other.keyid }))), value: { ...statement, serverKeyId: other.keyid } },
    { description: 'a secret restore would never write', valid: false, code: 'STATEMENT_INVALID', signature: sig(statement), value: { ...statement, secrets: { id_rsa: 'd'.repeat(64) } } },
    { description: 'another format', valid: false, code: 'NOT_A_BACKUP', signature: sig(statement), value: { ...statement, format: 'nightcore.backup/v2' } },
  ]);
}

// --- DSSE envelopes: the example bundle's manifest and wasm, signed by throwaway keys ---------------
{
  const bundle = join(ROOT, 'examples', 'hello-bundle');
  const manifest = JSON.parse(readFileSync(join(bundle, 'nightcore.json'), 'utf8')) as Record<string, unknown>;
  const wasm = readFileSync(join(bundle, 'module.wasm'));
  const publisher = testEd25519Key();
  const approver = testEd25519Key();
  const stranger = testEd25519Key();
  const revokedBefore = testEd25519Key();
  const revokedAfter = testEd25519Key();
  const canonical = (v: unknown) => {
    const c = canonicalJson(v);
    if (!c.ok) throw new Error(c.message);
    return c.value;
  };
  const bytes = (text: string) => new TextEncoder().encode(text);
  const sigOver = (k: TestKey, payload: Uint8Array) => ({ keyid: k.keyid, sig: encodeBase64(k.sign(preAuthEncoding(MANIFEST_PAYLOAD_TYPE, payload))) });
  /** An envelope over exactly these payload bytes, signed by each key. */
  const envelope = (payloadText: string, ...by: TestKey[]) => ({ payloadType: MANIFEST_PAYLOAD_TYPE, payload: encodeBase64(bytes(payloadText)), signatures: by.map((k) => sigOver(k, bytes(payloadText))) });
  const good = envelope(canonical(manifest), publisher);
  const sig0 = good.signatures[0]!;
  const other = canonical({ ...manifest, version: '1.0.1' });
  const BEYOND = 'the signature, the trust store and the payload\'s match with nightcore.json are the verifier\'s';
  write(
    'dsse-envelope.v1',
    {
      format: null,
      reader: 'verifyBundle({ wasm, manifestText: manifest, envelopeText: the vector }, trust store = keys (revoked at revokedAt), signedAt = when Night Core first saw the signature) (server/core/module/verify.ts): the bundle beside the envelope is the example bundle\'s nightcore.json and module.wasm',
      manifest,
      wasm: encodeBase64(wasm),
      keys: {
        publisher: { publicKey: pub(publisher), role: 'publisher' },
        approver: { publicKey: pub(approver), role: 'approver' },
        'revoked-before': { publicKey: pub(revokedBefore), role: 'publisher', revokedAt: '2026-11-01T00:00:00.000Z' },
        'revoked-after': { publicKey: pub(revokedAfter), role: 'publisher', revokedAt: '2026-12-15T00:00:00.000Z' },
      },
      signedAt: '2026-12-01T00:00:00.000Z',
    },
    [
      { description: 'the example bundle\'s manifest signed by its publisher', valid: true, value: good },
      { description: 'two signatures (publisher and approver)', valid: true, value: envelope(canonical(manifest), publisher, approver) },
      { description: 'signed by a publisher revoked after Night Core first saw the signature (signedAt): it still vouches', valid: true, value: envelope(canonical(manifest), revokedAfter) },
      { description: 'no signatures', valid: false, code: 'ENVELOPE_INVALID', value: { ...good, signatures: [] } },
      { description: 'another payload type', valid: false, code: 'ENVELOPE_INVALID', value: { ...good, payloadType: 'application/json' } },
      { description: 'a key id in upper-case hex', valid: false, code: 'ENVELOPE_INVALID', value: { ...good, signatures: [{ ...sig0, keyid: sig0.keyid.toUpperCase() }] } },
      { description: 'a public key carried in the signature (a hint is not trust; not part of the format)', valid: false, code: 'ENVELOPE_INVALID', value: { ...good, signatures: [{ ...sig0, public_key: pub(stranger) }] } },
      { description: 'signatures as an object', valid: false, code: 'ENVELOPE_INVALID', value: { ...good, signatures: { keyid: 'x' } } },
      { description: 'the same key signing twice', valid: false, code: 'ENVELOPE_INVALID', jsonSchema: true, why: 'no repeated keyid is a refinement; JSON Schema uniqueItems is not emitted by the generator', value: { ...good, signatures: [sig0, sig0] } },
      { description: 'signed only by a key that is not in the trust store', valid: false, code: 'UNTRUSTED_KEY', schema: true, why: BEYOND, value: envelope(canonical(manifest), stranger) },
      { description: 'signed only by an approver (a publisher signature is required)', valid: false, code: 'UNTRUSTED_KEY', schema: true, why: BEYOND, value: envelope(canonical(manifest), approver) },
      { description: 'signed only by a publisher revoked before Night Core first saw the signature', valid: false, code: 'KEY_REVOKED', schema: true, why: 'revocation is the trust store\'s', value: envelope(canonical(manifest), revokedBefore) },
      { description: 'the publisher\'s signature over other bytes', valid: false, code: 'SIGNATURE_INVALID', schema: true, why: SIGNED, value: { ...good, signatures: [{ keyid: publisher.keyid, sig: sigOver(publisher, bytes(other)).sig }] } },
      { description: 'a validly signed payload that is another manifest than nightcore.json beside it', valid: false, code: 'SIGNATURE_INVALID', schema: true, why: BEYOND, value: envelope(other, publisher) },
      { description: 'a validly signed payload that is the manifest, but not in canonical (RFC 8785) form', valid: false, code: 'SIGNATURE_INVALID', schema: true, why: 'the signed bytes must be the canonical manifest: one manifest, one text', value: envelope(JSON.stringify(manifest, null, 2), publisher) },
    ],
  );
}

// --- signed approvals: statements signed by a throwaway approver key --------------------------------
{
  const approver = testEd25519Key();
  const stranger = testEd25519Key();
  const statement: TApprovalStatement = {
    format: 'nightcore.approval/v1',
    subject: 'submission:3f1c2a9e-0b7d-4e21-9c55-2d8f0e6a1b42',
    wasmSha256: '6d70814fbf73e417483755affed8c7090c8accf2acfb2bb74bbf403d7593c6b2',
    manifestSha256: 'c0ffee0000000000000000000000000000000000000000000000000000000000',
    policy: { name: 'default', revision: 3 },
    decision: 'approve',
    reason: 'read the diff and the dry run',
    time: '2026-12-01T12:00:00.000Z',
  };
  const text = (v: unknown) => {
    const c = canonicalJson(v);
    if (!c.ok) throw new Error(c.message);
    return c.value;
  };
  /** How a statement travels: these exact bytes as the payload, signed by `by` (keyid: `as`, default the signer's). */
  const signed = (payload: string, by: TestKey, as: TestKey = by) => ({ payload: encodeBase64(new TextEncoder().encode(payload)), keyid: as.keyid, sig: encodeBase64(by.sign(signingBytes(payload))) });
  const good = signed(text(statement), approver);
  const reject = signed(text({ ...statement, decision: 'reject', reason: 'asks for more than it needs' }), approver);
  write(
    'signed-approval.v1',
    { format: null, reader: 'the trust store lookup by keyid (keys), then openStatement(signed, publicKey) (server/core/inbox/statement.ts), as the quorum check and offline verify do', keys: { approver: pub(approver) } },
    [
      { description: 'an approval signed by a trusted approver', valid: true, value: good },
      { description: 'a rejection with a reason', valid: true, value: reject },
      { description: 'an empty payload', valid: false, code: 'STATEMENT_INVALID', value: { ...good, payload: '' } },
      { description: 'a short key id', valid: false, code: 'KEY_UNKNOWN', value: { ...good, keyid: approver.keyid.slice(0, 8) } },
      { description: 'the public key instead of its id', valid: false, code: 'KEY_UNKNOWN', value: { ...good, keyid: pub(approver) } },
      { description: 'an extra field', valid: false, code: 'STATEMENT_INVALID', value: { ...good, publicKey: pub(approver) } },
      { description: 'signed by a key that is not in the trust store', valid: false, code: 'KEY_UNKNOWN', schema: true, why: 'the trust store is the reader\'s', value: signed(text(statement), stranger) },
      { description: 'another key\'s signature under the approver\'s key id', valid: false, code: 'SIGNATURE_INVALID', schema: true, why: SIGNED, value: signed(text(statement), stranger, approver) },
      { description: 'the decision changed after signing (approve for reject)', valid: false, code: 'SIGNATURE_INVALID', schema: true, why: SIGNED, value: { ...reject, payload: good.payload } },
      { description: 'a validly signed payload that is not canonical JSON', valid: false, code: 'STATEMENT_INVALID', schema: true, why: 'the reader re-canonicalises the statement: one approval, one text', value: signed(JSON.stringify(statement, null, 2), approver) },
      { description: 'a validly signed payload that is no approval statement', valid: false, code: 'STATEMENT_INVALID', schema: true, why: 'the payload is only base64 to the schema', value: signed(text({ decision: 'approve' }), approver) },
      { description: 'a payload that is not base64', valid: false, code: 'STATEMENT_INVALID', schema: true, why: 'the schema says only that the payload is a string', value: { ...good, payload: 'not base64!' } },
      { description: 'a validly signed payload that is not JSON', valid: false, code: 'STATEMENT_INVALID', schema: true, why: 'the payload is only base64 to the schema', value: signed('approve', approver) },
    ],
  );
}
