/**
 * The active Guardian policy: read from a file once, validated, and pinned by its digest so every
 * decision record names exactly the policy text it was judged by.
 */
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { parsePolicyText, type TPolicy, type PolicyErrorCode } from '../core/guardian';
import { sha256Hex } from '../core/crypto/digest';
import { err, ok, type Result } from '../core/result';

export interface ActivePolicy {
  readonly policy: TPolicy;
  /** The configured policy file (the history's seed); the policy itself is the revision in force. */
  readonly path: string;
  readonly sha256: string;
}

/** A policy file as read: its text too, so the first start can store exactly these bytes. */
export interface PolicyFile extends ActivePolicy {
  readonly text: string;
}

/** The shipped default policy, beside the sources (or under the working directory when bundled). */
export function defaultPolicyPath(): string {
  const besideSource = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies', 'default.json');
  return existsSync(besideSource) ? besideSource : join(process.cwd(), 'policies', 'default.json');
}

export function loadPolicyFile(path: string): Result<PolicyFile, PolicyErrorCode | 'POLICY_UNREADABLE'> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return err('POLICY_UNREADABLE', `cannot read policy ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const parsed = parsePolicyText(text);
  if (!parsed.ok) return err(parsed.code, `${path}: ${parsed.message}`, parsed.issues);
  return ok({ policy: parsed.value, path, sha256: sha256Hex(text), text });
}
