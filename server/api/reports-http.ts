/**
 * GET /api/reports?from=&to=&format=html|pdf: the console's compliance report download. The answer
 * is a .zip holding the report and its detached signature, because a browser saves one file per
 * download and the signature covers the report's exact bytes (a second request would make a
 * different report). Who may: the roles that may export the audit log (approver, admin): a report is
 * the log's content leaving the system. A PRO feature (`compliance_reports`): refused with 403
 * LICENSE_REQUIRED after the role check, before any work. Audited by produceReport (`report.generated`).
 */
import { zipSync } from 'fflate';
import type { Permission } from '../core/access/rbac';
import type { SessionUser } from '../auth/session';
import type { Services } from '../services/index';
import { parsePeriod } from '../core/report/period';
import { checkReportLicense, produceReport, REPORT_FORMATS, type ReportFormat } from '../services/reports';
import { actorForUser } from '../services/users';
import { guardRoute, NO_STORE, routeError } from './route-guard';

export const REPORT_PERMISSION: Permission = 'audit.export';

export interface ReportHttpDeps {
  readonly user: () => Promise<SessionUser | null>;
  /** Called only after the caller is authorised. */
  readonly services: () => Pick<Services, 'handle' | 'audit' | 'serverKey' | 'witnesses' | 'license'>;
  readonly chromium: () => string;
  readonly now?: () => Date;
}

export async function handleReportDownload(request: Request, deps: ReportHttpDeps): Promise<Response> {
  const user = await guardRoute(request, { method: 'GET', permission: REPORT_PERMISSION, user: deps.user });
  if (user instanceof Response) return user;
  const services = deps.services();
  const licensed = checkReportLicense(services);
  if (!licensed.ok) return routeError(licensed.code, licensed.message);
  const query = new URL(request.url).searchParams;
  const period = parsePeriod(query.get('from') ?? '', query.get('to') ?? '');
  if (!period.ok) return routeError('INVALID_PERIOD', period.message.replace(/--(from|to)\b/g, '$1'));
  const format = (query.get('format') ?? 'html') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) return routeError('INVALID_QUERY', 'format must be html or pdf');
  const made = await produceReport(services, { period: period.value, format, actor: actorForUser(user.username), chromium: deps.chromium(), now: deps.now });
  if (!made.ok) return routeError(made.code, made.message);
  const name = `nightcore-report-${period.value.from.slice(0, 10)}-${period.value.to.slice(0, 10)}.${format}`;
  const zip = zipSync({ [name]: made.value.bytes, [`${name}.sig`]: new TextEncoder().encode(`${JSON.stringify(made.value.signature, null, 2)}\n`) }, { mtime: new Date('2000-01-01T00:00:00Z') });
  return new Response(zip, {
    status: 200,
    headers: { ...NO_STORE, 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${name}.zip"`, 'x-nightcore-report-sha256': made.value.signature.sha256 },
  });
}
