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
import { resolveChromium } from '../services/config';

export const trpcRoute = (request: Request): Promise<Response> => handleTRPCRequest(request, createContext);
export const uploadRoute = (request: Request): Promise<Response> => handleUploadRequest(request, { user: getSessionUser, services: getServices });
export const auditVerifyRoute = (request: Request): Promise<Response> => handleAuditVerify(request, { user: getSessionUser, services: getServices });
export const auditExportRoute = (request: Request): Promise<Response> => handleAuditExport(request, { user: getSessionUser, services: getServices });
export const submitRoute = (request: Request): Promise<Response> => handleSubmit(request, { services: getServices });
export const submissionRoute = async (request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> =>
  handleGetSubmission(request, (await context.params).id, { services: getServices });
export const openApiRoute = (): Response => Response.json(openApiDocument(), { headers: { 'cache-control': 'no-store' } });
export const reportRoute = (request: Request): Promise<Response> => handleReportDownload(request, { user: getSessionUser, services: getServices, chromium: resolveChromium });
