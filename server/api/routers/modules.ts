/**
 * Modules: browse (modules.read) and run (runs.execute). Uploads arrive through the route handler
 * app/api/modules/upload (multipart is not JSON), which calls the same registry.
 */
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { actorForUser } from '../../services/users';
import { INPUT_LIMITS, type RunCode } from '../../core/run';
import { err, type Result } from '../../core/result';
import { unwrap } from '../errors';
import { createTRPCRouter, guarded } from '../trpc';
import { listModules, moduleDetail, ZModuleDetailSchema, ZModuleFilterSchema, ZModuleListItemSchema } from './module-views';
import { outputText, ZDecisionRecordSchema, ZOutputTextSchema } from './run-views';
import { filesToDirs, outputsToWire, ZRunFilesSchema, ZRunOutputsSchema } from './run-io';
import { exportSignatures } from '../../core/wasm/export-signatures';
import { parseCallArgs } from '../../core/sandbox/call-args';

export const ZModuleNameSchema = z.string().min(1).max(64);

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
// Base64 grows data by 4/3; bound the string before decoding so a huge body is refused early.
const MAX_STDIN_CHARS = Math.ceil(INPUT_LIMITS.stdinBytes / 3) * 4;

export const ZRunModuleSchema = z.object({
  name: ZModuleNameSchema,
  version: z.string().min(1).max(64).optional(),
  args: z.array(z.string().max(INPUT_LIMITS.argBytes)).max(INPUT_LIMITS.args).default([]),
  stdin: z
    .discriminatedUnion('encoding', [
      z.object({ encoding: z.literal('text'), data: z.string().max(INPUT_LIMITS.stdinBytes) }),
      z.object({ encoding: z.literal('base64'), data: z.string().max(MAX_STDIN_CHARS).regex(BASE64_RE, 'must be base64') }),
    ])
    .optional(),
  /** Decimal string (no bigints on the wire); an unsigned 64-bit integer. */
  seed: z
    .string()
    .regex(/^\d{1,20}$/, 'must be a decimal number')
    .refine((s) => BigInt(s) < 1n << 64n, 'must fit in 64 bits')
    .optional(),
  /** Files preopened as the guest's `/` (the module needs the fs.read capability to read them). */
  files: ZRunFilesSchema,
  /** Call one export with typed arguments (parsed from its signature) instead of running `_start`. */
  call: z.object({ export: z.string().min(1).max(255), args: z.array(z.string().max(64)).max(64).default([]) }).optional(),
});
export type TRunModuleInput = z.infer<typeof ZRunModuleSchema>;

export const ZRunModuleResultSchema = z.object({
  record: ZDecisionRecordSchema,
  stdout: ZOutputTextSchema,
  stderr: ZOutputTextSchema,
  /** The final state of the preopened tree, only when the decision is allow; null otherwise. */
  outputs: ZRunOutputsSchema.nullable(),
});

const RUN_STATUS = {
  MODULE_NOT_FOUND: 'NOT_FOUND',
  MODULE_MALFORMED: 'BAD_REQUEST',
  INPUT_TOO_LARGE: 'BAD_REQUEST',
  INPUT_INVALID: 'BAD_REQUEST',
  AUDIT_FAILED: 'CONFLICT',
  BUSY: 'CONFLICT',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
} as const satisfies Record<RunCode, string>;

/** The pipeline's words are written for logs; these say what the person at the console can do. */
function explain<T>(result: Result<T, RunCode>): Result<T, RunCode> {
  if (result.ok) return result;
  if (result.code === 'BUSY') return err('BUSY', 'The sandbox is busy with other runs right now. Nothing ran; try again in a moment.');
  return result;
}

function stdinBytes(stdin: TRunModuleInput['stdin']): Uint8Array | undefined {
  if (!stdin) return undefined;
  return stdin.encoding === 'text' ? new TextEncoder().encode(stdin.data) : new Uint8Array(Buffer.from(stdin.data, 'base64'));
}

export const modulesRouter = createTRPCRouter({
  list: guarded('modules.list')
    .input(ZModuleFilterSchema.optional())
    .output(z.array(ZModuleListItemSchema))
    .query(({ ctx, input }) => listModules(ctx.services, input ?? {}, actorForUser(ctx.user.username))),

  get: guarded('modules.get')
    .input(z.object({ name: ZModuleNameSchema }))
    .output(ZModuleDetailSchema)
    .query(({ ctx, input }) => {
      const detail = moduleDetail(ctx.services, input.name, actorForUser(ctx.user.username));
      if (!detail) throw new TRPCError({ code: 'NOT_FOUND', message: `no module named "${input.name}"` });
      return detail;
    }),

  run: guarded('modules.run')
    .input(ZRunModuleSchema)
    .output(ZRunModuleResultSchema)
    .mutation(async ({ ctx, input }) => {
      const { modules, governor } = ctx.services;
      const found = input.version ? modules.find(input.name, input.version) : modules.latest(input.name);
      const what = input.version ? `${input.name}@${input.version}` : input.name;
      const module = unwrap<NonNullable<typeof found>, RunCode>(found ? { ok: true, value: found } : err('MODULE_NOT_FOUND', `no module ${what} is stored`), RUN_STATUS);
      const { dirs, problem } = filesToDirs(input.files);
      if (problem) unwrap(err('INPUT_TOO_LARGE', problem), RUN_STATUS);
      let call;
      if (input.call) {
        const signatures = exportSignatures(module.wasm);
        if (!signatures.ok) unwrap(err('MODULE_MALFORMED', signatures.message), RUN_STATUS);
        const parsed = parseCallArgs(signatures.ok ? signatures.value : new Map(), input.call.export, input.call.args);
        if (!parsed.ok) unwrap(err('INPUT_INVALID', parsed.message), RUN_STATUS);
        call = parsed.ok ? { export: input.call.export, ...parsed.value } : undefined;
      }
      const ran = await governor.run(
        module,
        { args: input.args, stdin: stdinBytes(input.stdin), seed: input.seed === undefined ? undefined : BigInt(input.seed), dirs, call },
        actorForUser(ctx.user.username),
      );
      const { record, stdout, stderr, outputs } = unwrap(explain(ran), RUN_STATUS);
      return { record, stdout: outputText(stdout), stderr: outputText(stderr), outputs: record.decision === 'allow' ? outputsToWire(outputs) : null };
    }),
});
