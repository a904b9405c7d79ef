/**
 * The trust store for the console: anyone with keys.read sees which keys are trusted; admins
 * (keys.manage) add and revoke them. Every change is audited by the TrustStore in the same
 * transaction, with the signed-in user as actor.
 */
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { parsePublicKeyFile } from '../../core/crypto/keys';
import { KEY_ROLES, type TrustKeyRow } from '../../services/trust-store';
import { actorForUser } from '../../services/users';
import { unwrap } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';

export const ZKeyRoleSchema = z.enum(KEY_ROLES as ['publisher', 'approver', 'auditor', 'node']);

export const ZTrustKeySchema = z.object({
  keyid: z.string(),
  name: z.string(),
  role: ZKeyRoleSchema,
  publicKey: z.string(),
  status: z.enum(['active', 'revoked']),
  addedBy: z.string(),
  addedAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
});
export type TTrustKey = z.infer<typeof ZTrustKeySchema>;

export const ZAddKeySchema = z.object({
  /** base64 of the 32-byte Ed25519 public key: pasted, or the text of a `nightcore keygen` .pub file */
  publicKey: z.string().min(1).max(1024),
  role: ZKeyRoleSchema,
  name: z.string().min(1).max(100),
});

export const ZRevokeKeySchema = z.object({
  /** full key id or a unique prefix of at least 8 hex digits */
  keyid: z.string().min(8).max(64),
  reason: z.string().min(1).max(500),
  /** back-date the revocation to when a compromise began (ISO 8601); omit for "now" */
  at: z.iso.datetime({ offset: true }).optional(),
});

/** A revocation time later than now would leave the key trusted until then: refuse it. */
const FUTURE_SLACK_MS = 60_000;

function toWire(k: TrustKeyRow): TTrustKey {
  return {
    keyid: k.keyid,
    name: k.name,
    role: k.role,
    publicKey: k.publicKey,
    status: k.status,
    addedBy: k.addedBy,
    addedAt: k.addedAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    revokedBy: k.revokedBy,
    revokeReason: k.revokeReason,
  };
}

export const keysRouter = createTRPCRouter({
  list: guarded('keys.list')
    .output(z.array(ZTrustKeySchema))
    .query(({ ctx }) => ctx.services.trust.list().map(toWire)),

  add: guarded('keys.add')
    .input(ZAddKeySchema)
    .output(ZTrustKeySchema)
    .mutation(({ ctx, input }) => {
      const publicKey = unwrap(parsePublicKeyFile(input.publicKey), { KEY_FILE_INVALID: 'BAD_REQUEST' });
      const added = ctx.services.trust.add({ publicKey, role: input.role, name: input.name }, actorForUser(ctx.user.username));
      return toWire(unwrap(added, { INVALID_KEY: 'BAD_REQUEST', INVALID_NAME: 'BAD_REQUEST', KEY_EXISTS: 'CONFLICT' }));
    }),

  revoke: guarded('keys.revoke')
    .input(ZRevokeKeySchema)
    .output(ZTrustKeySchema)
    .mutation(({ ctx, input }) => {
      const at = input.at === undefined ? undefined : new Date(input.at);
      if (at && at.getTime() > Date.now() + FUTURE_SLACK_MS) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'a revocation time cannot be in the future' });
      }
      const revoked = ctx.services.trust.revoke(input.keyid, input.reason, actorForUser(ctx.user.username), at);
      return toWire(
        unwrap(revoked, { KEY_NOT_FOUND: 'NOT_FOUND', KEY_AMBIGUOUS: 'BAD_REQUEST', ALREADY_REVOKED: 'CONFLICT', REASON_REQUIRED: 'BAD_REQUEST' }),
      );
    }),
});
