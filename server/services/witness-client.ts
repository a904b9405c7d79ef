/**
 * Pushing our checkpoints to independent witnesses (configured in <data>/witnesses.json as
 * [{ "url": "http://host:port", "key": "<witness verifier key>" }]) and keeping their cosignatures.
 * Each push proves consistency from the newest checkpoint that witness cosigned; a witness that
 * answers with its own size (409) gets a proof from there. A refusal (422, 409 on a fork, 403) means
 * the witness saw a history this log no longer extends: it is kept as the witness's status and
 * shown on the Audit page, never retried away.
 */
import type Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { err, ok, type Result } from '../core/result';
import { ALG_COSIGNATURE_V1, formatAddCheckpoint, verifyCosignature } from '../core/audit/witness';
import { parseVerifierKey, type NoteKey } from '../core/audit/signed-note';
import type { Ed25519Verify } from '../core/audit/checkpoint';
import type { AuditLog } from './audit-log';

export const WITNESSES_FILE = 'witnesses.json';
const PUSH_TIMEOUT_MS = 5_000;

export interface WitnessConfig {
  readonly url: string;
  readonly key: NoteKey;
}

export function loadWitnessConfig(dataDir: string): Result<WitnessConfig[], 'WITNESS_CONFIG_INVALID'> {
  const file = join(dataDir, WITNESSES_FILE);
  if (!existsSync(file)) return ok([]);
  const bad = (why: string) => err('WITNESS_CONFIG_INVALID' as const, `${file}: ${why}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return bad('not JSON');
  }
  if (!Array.isArray(raw)) return bad('expected a list of { "url", "key" }');
  const out: WitnessConfig[] = [];
  for (const [i, entry] of raw.entries()) {
    const { url, key } = (entry ?? {}) as { url?: unknown; key?: unknown };
    if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) return bad(`entry ${i}: url must be http(s)://host[:port][/path]`);
    const parsed = typeof key === 'string' ? parseVerifierKey(key, ALG_COSIGNATURE_V1) : undefined;
    if (!parsed?.ok) return bad(`entry ${i}: key must be a witness verifier key (algorithm 0x04)`);
    out.push({ url: url.replace(/\/+$/, ''), key: parsed.value });
  }
  return ok(out);
}

export type PushCode = 'NO_CHECKPOINT' | 'WITNESS_UNREACHABLE' | 'WITNESS_REFUSED' | 'COSIGNATURE_INVALID';

export interface Cosigned {
  readonly witness: string;
  readonly seq: number;
  readonly signedAt: number;
}

type Fetch = (url: string, init: { method: string; body: string; headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;

export class WitnessPusher {
  private readonly stmt;
  /** the last outcome per witness, for the status page */
  private readonly lastError = new Map<string, { code: PushCode; message: string; at: string }>();

  constructor(
    sqlite: Database.Database,
    private readonly audit: AuditLog,
    readonly witnesses: readonly WitnessConfig[],
    private readonly verify: Ed25519Verify,
    private readonly fetchImpl: Fetch = fetch,
  ) {
    this.stmt = {
      newest: sqlite.prepare<[string], { seq: number; signedAt: number }>('SELECT seq, signed_at AS signedAt FROM audit_cosignatures WHERE witness = ? ORDER BY seq DESC LIMIT 1'),
      insert: sqlite.prepare('INSERT OR IGNORE INTO audit_cosignatures (seq, witness, cosignature, signed_at) VALUES (?, ?, ?, ?)'),
      forSeq: sqlite.prepare<[number], { witness: string; cosignature: string; signedAt: number }>('SELECT witness, cosignature, signed_at AS signedAt FROM audit_cosignatures WHERE seq = ?'),
    };
  }

  newestCosigned(witness: string): { seq: number; signedAt: number } | undefined {
    return this.stmt.newest.get(witness);
  }

  cosignaturesOf(seq: number): { witness: string; cosignature: string; signedAt: number }[] {
    return this.stmt.forSeq.all(seq);
  }

  status(witness: string): { code: PushCode; message: string; at: string } | undefined {
    return this.lastError.get(witness);
  }

  async pushAll(): Promise<Result<Cosigned, PushCode>[]> {
    const results: Result<Cosigned, PushCode>[] = [];
    for (const w of this.witnesses) results.push(await this.push(w)); // one at a time: few witnesses, no burst
    return results;
  }

  /** Gets the newest checkpoint cosigned by `witness` (a no-op when it already is). */
  async push(witness: WitnessConfig): Promise<Result<Cosigned, PushCode>> {
    const result = await this.tryPush(witness);
    if (result.ok) this.lastError.delete(witness.key.name);
    else this.lastError.set(witness.key.name, { code: result.code, message: result.message, at: new Date().toISOString() });
    return result;
  }

  private async tryPush(witness: WitnessConfig): Promise<Result<Cosigned, PushCode>> {
    const cp = this.audit.latestCheckpoint();
    if (!cp || typeof cp.note !== 'string') return err('NO_CHECKPOINT', 'there is no signed tree head to push yet');
    const name = witness.key.name;
    const known = this.newestCosigned(name);
    if (known && known.seq === cp.seq) return ok({ witness: name, seq: cp.seq, signedAt: known.signedAt });
    let oldSize = known && known.seq < cp.seq ? known.seq : 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      const proof = oldSize > 0 ? this.audit.tree.consistency(oldSize, cp.seq) : [];
      let res: Response;
      let text: string;
      try {
        res = await this.fetchImpl(`${witness.url}/add-checkpoint`, {
          method: 'POST',
          body: formatAddCheckpoint({ oldSize, proof, note: cp.note }),
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
        });
        text = await res.text();
      } catch (e) {
        return err('WITNESS_UNREACHABLE', `witness ${name} at ${witness.url}: ${(e as Error).message}`);
      }
      if (res.status === 200) {
        const time = verifyCosignature(cp.note, text, witness.key, this.verify);
        if (!time.ok) return err('COSIGNATURE_INVALID', time.message);
        this.stmt.insert.run(cp.seq, name, text.trimEnd(), time.value);
        return ok({ witness: name, seq: cp.seq, signedAt: time.value });
      }
      const theirs = /^(0|[1-9][0-9]{0,15})\n?$/.exec(text);
      if (res.status === 409 && attempt === 0 && theirs && Number(theirs[1]) !== oldSize && Number(theirs[1]) <= cp.seq) {
        oldSize = Number(theirs[1]); // the witness knows a different size of ours: prove from there
        continue;
      }
      return err('WITNESS_REFUSED', `witness ${name} refused the checkpoint at size ${cp.seq} (HTTP ${res.status}): ${text.trim().slice(0, 300)}`);
    }
    return err('WITNESS_REFUSED', `witness ${name} kept answering with a different size`);
  }
}
