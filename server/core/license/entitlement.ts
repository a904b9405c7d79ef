/**
 * What an installation may do, from its license and the time. Editions add features; they never
 * remove a security guarantee: verification, Guardian, sandbox limits, audit and the inbox with a
 * single approver are community features, not listed here, and cannot be switched off by a license
 * (or its absence). An expired, not-yet-valid or broken license is the community edition.
 */
import { err, ok, type Result } from '../result';
import type { LicenseCode, OpenedLicense } from './license';
import { COMMUNITY_SEATS, FEATURE_TEXT, FEATURES, isFeature, type Feature } from './features';

export type LicenseState = 'none' | 'valid' | 'expired' | 'not_yet_valid' | 'invalid';

export interface LicenseSummary {
  readonly id: string;
  readonly licensee: string;
  readonly edition: string;
  readonly features: readonly string[];
  /** Features this version does not know (a newer license): shown, never acted on. */
  readonly unknownFeatures: readonly string[];
  readonly seats: number;
  readonly issued: string;
  readonly expires: string;
  readonly keyid: string;
  readonly testKey: boolean;
}

export interface Entitlement {
  readonly edition: 'community' | 'pro';
  readonly state: LicenseState;
  /** The PRO features in force now (empty for community). */
  readonly features: readonly Feature[];
  /** Enabled console users allowed now. */
  readonly seats: number;
  readonly license: LicenseSummary | null;
  /** One sentence: which edition, and why. */
  readonly detail: string;
}

const COMMUNITY = (state: LicenseState, license: LicenseSummary | null, detail: string): Entitlement => ({
  edition: 'community',
  state,
  features: [],
  seats: COMMUNITY_SEATS,
  license,
  detail,
});

const day = (iso: string) => iso.slice(0, 10);

/** The entitlement now, from the installed license (undefined: none installed; an error: it no longer verifies). */
export function entitlementOf(opened: Result<OpenedLicense, LicenseCode> | undefined, now: Date): Entitlement {
  if (opened === undefined) return COMMUNITY('none', null, 'Community edition: no license is installed.');
  if (!opened.ok) return COMMUNITY('invalid', null, `Community edition: the installed license does not verify (${opened.message}).`);
  const l = opened.value.license;
  const summary: LicenseSummary = {
    id: l.id,
    licensee: l.licensee,
    edition: l.edition,
    features: l.features,
    unknownFeatures: l.features.filter((f) => !isFeature(f)),
    seats: l.seats,
    issued: l.issued,
    expires: l.expires,
    keyid: opened.value.keyid,
    testKey: opened.value.testKey,
  };
  const t = now.getTime();
  if (t < Date.parse(l.issued)) return COMMUNITY('not_yet_valid', summary, `Community edition: license ${l.id} is valid from ${day(l.issued)}.`);
  if (t >= Date.parse(l.expires)) return COMMUNITY('expired', summary, `Community edition: license ${l.id} expired on ${day(l.expires)}.`);
  return {
    edition: 'pro',
    state: 'valid',
    features: FEATURES.filter((f) => l.features.includes(f)),
    seats: Math.max(COMMUNITY_SEATS, l.seats),
    license: summary,
    detail: `PRO edition for ${l.licensee} (license ${l.id}) until ${day(l.expires)}${opened.value.testKey ? ', signed by a TEST vendor key' : ''}.`,
  };
}

export type GateCode = 'LICENSE_REQUIRED';

/** Ok when `feature` is in force; otherwise a refusal naming the feature, the edition that has it and why it is missing. */
export function checkFeature(e: Entitlement, feature: Feature): Result<void, GateCode> {
  if (e.features.includes(feature)) return ok(undefined);
  const what = `${FEATURE_TEXT[feature]} (feature ${feature})`;
  if (e.edition === 'pro') {
    return err('LICENSE_REQUIRED', `${capital(what)} is not included in license ${e.license?.id}; it needs a PRO license that includes ${feature}.`);
  }
  return err('LICENSE_REQUIRED', `${capital(what)} needs the PRO edition. ${e.detail}`);
}

/** Ok while adding one more enabled user stays within the seats. */
export function checkSeat(e: Entitlement, enabledUsers: number): Result<void, 'SEAT_LIMIT'> {
  if (enabledUsers < e.seats) return ok(undefined);
  const how = e.edition === 'pro' ? `license ${e.license?.id} allows ${e.seats}` : `the community edition allows ${e.seats}; more users need the PRO edition`;
  return err('SEAT_LIMIT', `There are already ${enabledUsers} enabled users and ${how}. Disable an unused account or install a license with more seats.`);
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
