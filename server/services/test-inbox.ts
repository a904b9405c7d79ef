/**
 * Test support (not shipped behaviour): a harness whose policy requires approval by one approver
 * AND one manager (so a PRO test license is installed), with console users and approval keys
 * generated on the spot.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { users } from '../../db/schema';
import type { Role } from '../core/access/rbac';
import { generateKeyPair } from '../core/crypto/ed25519';
import { signStatement, type TApprovalStatement, type TSignedApproval } from '../core/inbox';
import { defaultPolicyPath } from './policy-store';
import { openHarness, type Harness } from './test-fixtures';
import type { SubmissionView } from './inbox';
import type { Services } from './index';
import { installProLicense } from './test-license';

export interface Person {
  readonly id: string;
  readonly username: string;
  readonly seed: Uint8Array;
  readonly keyid: string;
}

export interface InboxHarness extends Harness {
  person(username: string, role: Role): Person;
  statement(person: Person, submission: SubmissionView, over?: Partial<TApprovalStatement>): TSignedApproval;
}

export const QUORUM_POLICY = {
  groups: { managers: ['carol', 'owner', 'frank'] },
  quorum: [{ role: 'approver', count: 1 }, { group: 'managers', count: 1 }],
  reason_required: true,
};

/** A console user with an approval key registered to them (generated here, never committed). */
export function addApprover(services: Services, username: string, role: Role = 'approver', at: Date = new Date()): Person {
  const id = randomUUID();
  services.handle.db.insert(users).values({ id, username, passwordHash: 'unused', role, createdAt: at, createdBy: 'test', updatedAt: at }).run();
  const pair = generateKeyPair();
  const registered = services.inbox.registerApproverKey(pair.publicKey, { id, username });
  if (!registered.ok) throw new Error(registered.message);
  return { id, username, seed: pair.seed, keyid: registered.value.keyid };
}

/** A signed release statement for the active quarantine entry of `wasmSha256`, as the browser or the CLI makes it. */
export function releaseStatement(services: Services, person: Person, wasmSha256: string, reason: string, over: Partial<TApprovalStatement> = {}, time = new Date()): { entryId: number; signed: TSignedApproval } {
  const entry = services.quarantine.active(wasmSha256);
  if (!entry) throw new Error(`${wasmSha256} is not quarantined`);
  const target = services.releases.target(entry);
  const signed = signStatement({ format: 'nightcore.approval/v1', ...target, decision: 'release', reason, time: time.toISOString(), ...over }, person.seed, person.keyid);
  if (!signed.ok) throw new Error(signed.message);
  return { entryId: entry.id, signed: signed.value };
}

/** Signs and sends one release statement (under a quorum of one, this releases). */
export function signRelease(services: Services, person: Person, wasmSha256: string, reason: string, time = new Date()) {
  const { entryId, signed } = releaseStatement(services, person, wasmSha256, reason, {}, time);
  return services.releases.sign(entryId, signed, person);
}

/** `pro: false` leaves the installation on the community edition (the quorum above one is then refused). */
export function openInboxHarness(now?: () => Date, options: { pro?: boolean } = {}): InboxHarness {
  const base = JSON.parse(readFileSync(defaultPolicyPath(), 'utf8')) as Record<string, unknown> & { pre: Record<string, unknown> };
  const policy = { ...base, pre: { ...base.pre, approval_required: { severity: 'high', required: true } }, approval: QUORUM_POLICY };
  const policyPath = join(mkdtempSync(join(tmpdir(), 'nightcore-policy-')), 'inbox-policy.json');
  writeFileSync(policyPath, JSON.stringify(policy));
  const h = openHarness({ policyPath, ...(now ? { now } : {}) });
  const clock = now ?? (() => new Date());
  // A quorum above one is a PRO feature (docs/licensing.md); inbox-license.test.ts covers it without one.
  if (options.pro !== false) installProLicense(h.services, {}, clock());
  return {
    ...h,
    person(username, role) {
      return addApprover(h.services, username, role, clock());
    },
    statement(person, submission, over = {}) {
      const p = h.services.policy.policy;
      const signed = signStatement(
        {
          format: 'nightcore.approval/v1',
          subject: `submission:${submission.id}`,
          wasmSha256: submission.wasmSha256,
          manifestSha256: submission.manifestSha256,
          policy: { name: p.name, revision: p.revision },
          decision: 'approve',
          reason: 'read the diff and the dry run',
          time: clock().toISOString(),
          ...over,
        },
        person.seed,
        person.keyid,
      );
      if (!signed.ok) throw new Error(signed.message);
      return signed.value;
    },
  };
}
