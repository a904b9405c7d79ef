/**
 * The license for the console: every signed-in user may see the edition and which PRO features are
 * on (pages label PRO features); admins (license.manage) see the license itself and install one.
 * Installing is audited by the service with the signed-in admin as actor.
 */
import { z } from 'zod';
import { FEATURES, MAX_LICENSE_FILE_BYTES } from '../../core/license';
import { actorForUser } from '../../services/users';
import type { Services } from '../../services/index';
import { unwrap } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';

export const ZFeaturesSchema = z.object({
  edition: z.enum(['community', 'pro']),
  features: z.array(z.enum(FEATURES)),
});

export const ZLicenseStatusSchema = z.object({
  edition: z.enum(['community', 'pro']),
  state: z.enum(['none', 'valid', 'expired', 'not_yet_valid', 'invalid']),
  features: z.array(z.enum(FEATURES)),
  seats: z.number(),
  enabledUsers: z.number(),
  detail: z.string(),
  testKeyAccepted: z.boolean(),
  license: z
    .object({
      id: z.string(),
      licensee: z.string(),
      edition: z.string(),
      features: z.array(z.string()),
      unknownFeatures: z.array(z.string()),
      seats: z.number(),
      issued: z.string(),
      expires: z.string(),
      keyid: z.string(),
      testKey: z.boolean(),
    })
    .nullable(),
});
export type TLicenseStatus = z.infer<typeof ZLicenseStatusSchema>;

export const ZInstallLicenseSchema = z.object({ text: z.string().min(1).max(MAX_LICENSE_FILE_BYTES) });

type Status = ReturnType<Services['license']['status']>;

function toWire(s: Status): TLicenseStatus {
  const l = s.license;
  return {
    ...s,
    features: [...s.features],
    license: l && { ...l, features: [...l.features], unknownFeatures: [...l.unknownFeatures] },
  };
}

const INSTALL_STATUS = {
  LICENSE_INVALID: 'BAD_REQUEST',
  LICENSE_WRONG_KEY: 'BAD_REQUEST',
  LICENSE_SIGNATURE_INVALID: 'BAD_REQUEST',
  LICENSE_EXPIRED: 'BAD_REQUEST',
  LICENSE_NOT_YET_VALID: 'BAD_REQUEST',
} as const;

export const licenseRouter = createTRPCRouter({
  features: guarded('license.features')
    .output(ZFeaturesSchema)
    .query(({ ctx }) => {
      const e = ctx.services.license.entitlement();
      return { edition: e.edition, features: [...e.features] };
    }),

  status: guarded('license.status')
    .output(ZLicenseStatusSchema)
    .query(({ ctx }) => toWire(ctx.services.license.status())),

  install: guarded('license.install')
    .input(ZInstallLicenseSchema)
    .output(ZLicenseStatusSchema)
    .mutation(({ ctx, input }) => {
      unwrap(ctx.services.license.install(input.text, actorForUser(ctx.user.username)), INSTALL_STATUS);
      return toWire(ctx.services.license.status());
    }),
});
