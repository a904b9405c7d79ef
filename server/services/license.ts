/**
 * The installed license over SQLite. The newest installed license is the one in force; it is
 * verified again against the vendor keys whenever it is read (the signature once per text, the
 * dates on every call), so a row edited in the database file grants nothing and an expiry takes
 * effect the moment it passes, without a restart. Every gate in the product asks `require()`.
 */
import { count, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { licenses, users } from '../../db/schema';
import { err, ok, type Result } from '../core/result';
import { sha256Hex } from '../core/crypto/digest';
import {
  checkFeature,
  entitlementOf,
  openLicense,
  type Entitlement,
  type Feature,
  type GateCode,
  type LicenseCode,
  type OpenedLicense,
  type VendorKey,
} from '../core/license';
import type { AuditLog } from './audit-log';

export type InstallCode = LicenseCode | 'LICENSE_EXPIRED' | 'LICENSE_NOT_YET_VALID';

export class LicenseService {
  private cache: { text: string; opened: Result<OpenedLicense, LicenseCode> } | undefined;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly vendorKeys: readonly VendorKey[],
    private readonly now: () => Date,
  ) {}

  /** Whether licenses signed by a test vendor key are accepted here (never in production; docs/licensing.md). */
  get acceptsTestKey(): boolean {
    return this.vendorKeys.some((k) => k.test);
  }

  /** The edition and features in force now. */
  entitlement(): Entitlement {
    const row = this.db.select({ text: licenses.text }).from(licenses).orderBy(desc(licenses.id)).limit(1).get();
    if (!row) return entitlementOf(undefined, this.now());
    if (this.cache?.text !== row.text) this.cache = { text: row.text, opened: openLicense(row.text, this.vendorKeys) };
    return entitlementOf(this.cache.opened, this.now());
  }

  /** The entitlement with what the license page shows beside it. */
  status(): Entitlement & { enabledUsers: number; testKeyAccepted: boolean } {
    const enabledUsers = this.db.select({ n: count() }).from(users).where(eq(users.disabled, false)).get()?.n ?? 0;
    const e = this.entitlement();
    return { ...e, features: [...e.features], enabledUsers, testKeyAccepted: this.acceptsTestKey };
  }

  /** Ok when `feature` is in force now; else LICENSE_REQUIRED with a message naming the feature and the edition. */
  require(feature: Feature): Result<void, GateCode> {
    return checkFeature(this.entitlement(), feature);
  }

  /**
   * Installs a license file: it must verify against a vendor key and be in force now (installing
   * a license that grants nothing would only replace one that does). Audited with the install.
   */
  install(text: string, actor: string): Result<Entitlement, InstallCode> {
    const opened = openLicense(text, this.vendorKeys);
    if (!opened.ok) {
      this.audit.append({ actor, action: 'license.refused', subject: 'license', payload: { code: opened.code, message: opened.message } });
      return opened;
    }
    const l = opened.value.license;
    const now = this.now();
    const state = entitlementOf(opened, now).state;
    if (state === 'expired' || state === 'not_yet_valid') {
      const code = state === 'expired' ? 'LICENSE_EXPIRED' : 'LICENSE_NOT_YET_VALID';
      const message = state === 'expired' ? `License ${l.id} expired on ${l.expires}; it was not installed.` : `License ${l.id} is valid from ${l.issued}; install it then.`;
      this.audit.append({ actor, action: 'license.refused', subject: `license:${l.id}`, payload: { code, message } });
      return err(code, message);
    }
    this.db.$client.transaction(() => {
      this.audit.record(
        {
          actor,
          action: 'license.installed',
          subject: `license:${l.id}`,
          payload: { licensee: l.licensee, edition: l.edition, features: l.features, seats: l.seats, issued: l.issued, expires: l.expires, keyid: opened.value.keyid, testKey: opened.value.testKey },
        },
        () =>
          this.db
            .insert(licenses)
            .values({ text, sha256: sha256Hex(new TextEncoder().encode(text)), licenseId: l.id, licensee: l.licensee, expiresAt: new Date(l.expires), installedAt: now, installedBy: actor })
            .run(),
      );
    })();
    return ok(this.entitlement());
  }
}
