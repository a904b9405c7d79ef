/**
 * The license gate for procedures and route handlers: a PRO feature is refused on the server,
 * whatever the console shows. FORBIDDEN (403), domain code LICENSE_REQUIRED, and a message naming
 * the missing feature and the edition that has it. Call it after the role check, first thing in
 * the handler, before any work: `requireFeature(ctx.services, 'policy_simulation')`.
 */
import type { Feature } from '../core/license';
import type { Services } from '../services/index';
import { unwrap } from './errors';

export function requireFeature(services: Pick<Services, 'license'>, feature: Feature): void {
  unwrap(services.license.require(feature), { LICENSE_REQUIRED: 'FORBIDDEN' });
}
