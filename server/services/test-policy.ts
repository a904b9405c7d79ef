/**
 * Test support (not shipped behaviour): a candidate policy made by changing the shipped default,
 * validated as the console and the CLI validate a policy file.
 */
import { readFileSync } from 'node:fs';
import { parsePolicyText, type TPolicy } from '../core/guardian/schema';
import { defaultPolicyPath } from './policy-store';

/** A policy document as a test edits it: any field may be changed. */
type PolicyDocument = Record<string, any>;

export function candidatePolicy(change: (p: PolicyDocument) => void): TPolicy {
  const p = JSON.parse(readFileSync(defaultPolicyPath(), 'utf8')) as PolicyDocument;
  change(p);
  const parsed = parsePolicyText(JSON.stringify(p));
  if (!parsed.ok) throw new Error(`${parsed.message} ${parsed.issues?.join('; ')}`);
  return parsed.value;
}
