/**
 * The published formats: each one's zod schema (the one the code validates with) and where people
 * read about it. `npm run docs:formats` turns them into JSON Schemas under docs/formats/, and
 * scripts/formats/formats.test.ts fails when a committed schema drifts from its zod schema.
 *
 * A format's version changes only with a documented upgrade path (docs/formats/CHANGELOG.md): when a
 * zod schema here changes in a way old documents no longer pass, bump `version`, keep the old
 * schema file, and say in the change log how an old document is read or upgraded.
 */
import type { z } from 'zod';
import { MANIFEST_FORMAT, ZManifestSchema } from '../../server/core/module/manifest';
import { ZEnvelopeSchema } from '../../server/core/module/dsse';
import { POLICY_FORMAT, ZPolicySchema } from '../../server/core/guardian/schema';
import { ZApprovalStatementSchema, ZSignedApprovalSchema } from '../../server/core/inbox/statement';
import { EXPORTED_EVENT_FORMAT, ZExportedEventSchema } from '../../server/core/audit/exported-event';

export interface PublishedFormat {
  /** file stem: docs/formats/<id>.v<version>.schema.json and vectors/<id>.v<version>.json */
  readonly id: string;
  readonly version: number;
  /** the `format` string documents of this kind carry, where they carry one */
  readonly identifier: string | null;
  readonly title: string;
  readonly description: string;
  readonly docs: string;
  readonly schema: z.ZodType;
}

export const FORMATS: readonly PublishedFormat[] = [
  {
    id: 'module-manifest',
    version: 1,
    identifier: MANIFEST_FORMAT,
    title: 'Module bundle manifest (nightcore.json)',
    description: 'What a signed module bundle asks for: name, version, tenant, entry, capabilities, limits, and the digest of module.wasm. Signed as the canonical (RFC 8785) payload of the DSSE envelope.',
    docs: 'docs/bundle-format.md',
    schema: ZManifestSchema,
  },
  {
    id: 'dsse-envelope',
    version: 1,
    identifier: null,
    title: 'DSSE envelope (nightcore.sig.json)',
    description: 'The envelope carrying the manifest and one or more Ed25519 signatures over its DSSE pre-authentication encoding. Trust comes only from keys in the trust store.',
    docs: 'docs/bundle-format.md',
    schema: ZEnvelopeSchema,
  },
  {
    id: 'policy',
    version: 1,
    identifier: POLICY_FORMAT,
    title: 'Guardian policy',
    description: 'The rules every run is judged by before and after it executes, threat weights and bands, and the approval quorum. Anything not allowed is denied.',
    docs: 'docs/policy-reference.md',
    schema: ZPolicySchema,
  },
  {
    id: 'approval-statement',
    version: 1,
    identifier: 'nightcore.approval/v1',
    title: 'Approval statement (what an approver signs)',
    description: 'A decision on a submission or a quarantine, bound to the wasm and manifest digests and the policy revision; signed canonical JSON.',
    docs: 'docs/approvals.md',
    schema: ZApprovalStatementSchema,
  },
  {
    id: 'signed-approval',
    version: 1,
    identifier: null,
    title: 'Signed approval (how a statement travels)',
    description: 'The canonical statement as base64, the approver key id and the Ed25519 signature.',
    docs: 'docs/approvals.md',
    schema: ZSignedApprovalSchema,
  },
  {
    id: 'audit-event',
    version: 1,
    identifier: EXPORTED_EVENT_FORMAT,
    title: 'Audit event as exported (one JSON Lines line of audit export; the event of an inclusion proof)',
    description: 'seq, time, actor, action, subject, the payload as JSON, prevHash and hash = SHA-256 over the canonical event and the previous hash. Decision records are the payload of run.decided events.',
    docs: 'docs/audit-log.md',
    schema: ZExportedEventSchema,
  },
];
