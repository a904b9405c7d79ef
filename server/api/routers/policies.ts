/** The active Guardian policy, read-only: what every run is judged by right now. */
import { z } from 'zod';
import { ZPolicySchema } from '../../core/guardian/schema';
import { createTRPCRouter, guarded } from '../trpc';

export const ZActivePolicySchema = z.object({
  name: z.string(),
  revision: z.number().int(),
  sha256: z.string(),
  path: z.string(),
  policy: ZPolicySchema,
});
export type TActivePolicy = z.infer<typeof ZActivePolicySchema>;

export const policiesRouter = createTRPCRouter({
  active: guarded('policies.active')
    .output(ZActivePolicySchema)
    .query(({ ctx }) => {
      const { policy, sha256, path } = ctx.services.policy;
      return { name: policy.name, revision: policy.revision, sha256, path, policy };
    }),
});
