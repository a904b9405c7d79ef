/**
 * The HTTP endpoints as the console serves them: each handler wired to the session and the
 * process-wide services. app/api/**\/route.ts files only re-export these, so the app layer never
 * imports services (data flows app → server/api → server/services → server/core).
 */
import { getSessionUser } from '../auth/session';
import { getServices } from '../services/instance';
import { handleAuditExport, handleAuditVerify } from './audit-http';
import { createContext } from './context';
import { handleTRPCRequest } from './http';
import { handleUploadRequest } from './upload-http';
import { handleGetSubmission, handleSubmit } from './submissions-http';
import { openApiDocument } from './openapi';
import { handleReportDownload } from './reports-http';
import { resolveChromium, resolveMetricsToken } from '../services/config';
import { handleMetrics } from './metrics-http';
import { withRequestLog } from './request-log';

export const trpcRoute = withRequestLog('trpc', (request: Request): Promise<Response> => handleTRPCRequest(request, createContext));
export const uploadRoute = withRequestLog('upload', (request: Request): Promise<Response> => handleUploadRequest(request, { user: getSessionUser, services: getServices }));
export const auditVerifyRoute = withRequestLog('audit.verify', (request: Request): Promise<Response> => handleAuditVerify(request, { user: getSessionUser, services: getServices }));
export const auditExportRoute = withRequestLog('audit.export', (request: Request): Promise<Response> => handleAuditExport(request, { user: getSessionUser, services: getServices }));
export const submitRoute = withRequestLog('submissions.create', (request: Request): Promise<Response> => handleSubmit(request, { services: getServices }));
export const submissionRoute = withRequestLog('submissions.get', async (request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> =>
  handleGetSubmission(request, (await context.params).id, { services: getServices }));
export const openApiRoute = (): Response => Response.json(openApiDocument(), { headers: { 'cache-control': 'no-store' } });
export const reportRoute = withRequestLog('reports', (request: Request): Promise<Response> => handleReportDownload(request, { user: getSessionUser, services: getServices, chromium: resolveChromium }));
/** Prometheus scrapes are not logged per request: one line every few seconds per scraper is noise. */
export const metricsRoute = (request: Request): Response => handleMetrics(request, { token: resolveMetricsToken, render: () => getServices().metrics.render() });
