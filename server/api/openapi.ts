/**
 * The OpenAPI 3.1 document of the agent API, served at /api/v1/openapi.json. Statuses and limits
 * are read from the same constants the handlers use, so the document cannot drift from the code
 * on those (openapi.test.ts also checks every status a handler can send is described).
 */
import { ROUTE_ERROR_STATUS } from './route-guard';
import { SUBMISSION_LIMITS } from './submissions-http';

const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const submission = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', required: ['ok', 'submission'], properties: { ok: { const: true }, submission: { $ref: '#/components/schemas/Submission' } } } } },
});

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Night Core agent API',
      version: '1',
      description: 'Agents submit WebAssembly modules; nothing submitted runs until people approve it with signed approvals (docs/approvals.md).',
    },
    servers: [{ url: '/' }],
    security: [{ agentToken: [] }],
    paths: {
      '/api/v1/submissions': {
        post: {
          summary: 'Submit a module for approval',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['module', 'purpose'],
                  properties: {
                    module: { type: 'string', format: 'binary', description: `The wasm binary, at most ${SUBMISSION_LIMITS.wasmBytes} bytes.` },
                    manifest: { type: 'string', description: 'JSON: {name, version, description?, entry?, capabilities?, limits?}. Without it the module is named after the agent, version 0.0.0.' },
                    purpose: { type: 'string', maxLength: 2000, description: 'What the module is for, in plain words.' },
                  },
                },
              },
            },
          },
          responses: {
            202: submission('Accepted as pending. Location names the submission.'),
            [ROUTE_ERROR_STATUS.UNAUTHORIZED]: error('Missing, wrong, revoked or expired token.'),
            [ROUTE_ERROR_STATUS.FORBIDDEN]: error('The token lacks the submissions:write scope.'),
            [ROUTE_ERROR_STATUS.PAYLOAD_TOO_LARGE]: error(`The body is over ${SUBMISSION_LIMITS.requestBytes} bytes (refused while streaming).`),
            [ROUTE_ERROR_STATUS.UNSUPPORTED_MEDIA_TYPE]: error('Not multipart/form-data, or the module is not WebAssembly.'),
            [ROUTE_ERROR_STATUS.SUBMISSION_INVALID]: error('Invalid module, manifest or purpose; `issues` names every bad field.'),
            [ROUTE_ERROR_STATUS.RATE_LIMITED]: error("Over the agent's submissions per hour; see Retry-After."),
            [ROUTE_ERROR_STATUS.BAD_REQUEST]: error('The body is not valid multipart.'),
          },
        },
      },
      '/api/v1/submissions/{id}': {
        get: {
          summary: 'Read the state of one of your submissions',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            200: submission('The submission.'),
            [ROUTE_ERROR_STATUS.UNAUTHORIZED]: error('Missing, wrong, revoked or expired token.'),
            [ROUTE_ERROR_STATUS.FORBIDDEN]: error('The token lacks the submissions:read scope.'),
            [ROUTE_ERROR_STATUS.NOT_FOUND]: error('No such submission of this agent.'),
          },
        },
      },
    },
    components: {
      securitySchemes: { agentToken: { type: 'http', scheme: 'bearer', description: 'nca_<id>_<secret>, shown once when an admin registers the agent.' } },
      schemas: {
        Submission: {
          type: 'object',
          required: ['id', 'state', 'name', 'version', 'wasmSha256', 'manifestSha256', 'createdAt', 'expiresAt', 'decidedAt', 'detail'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            state: { enum: ['pending', 'approved', 'rejected', 'expired', 'withdrawn'] },
            name: { type: 'string' },
            version: { type: 'string' },
            wasmSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            manifestSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            createdAt: { type: 'string', format: 'date-time' },
            expiresAt: { type: 'string', format: 'date-time' },
            decidedAt: { type: ['string', 'null'], format: 'date-time' },
            detail: { type: ['string', 'null'] },
          },
        },
        Error: {
          type: 'object',
          required: ['ok', 'error'],
          properties: {
            ok: { const: false },
            error: { type: 'object', required: ['code', 'message', 'issues'], properties: { code: { type: 'string' }, message: { type: 'string' }, issues: { type: 'array', items: { type: 'string' } } } },
          },
        },
      },
    },
  };
}
