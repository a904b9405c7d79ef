/**
 * What an agent hands in: wasm bytes, an optional manifest (name, version, description, entry,
 * requested capabilities and limits) and its stated purpose. Checked here, every bad field named,
 * before anything is stored. The full manifest is built by the core (createManifest) so it pins
 * the wasm digest exactly like a signed bundle's does.
 */
import { z } from 'zod';
import { CAPABILITIES, describeIssues, type TManifest } from '../module/manifest';
import { createManifest } from '../module/sign';
import { canonicalJson } from '../module/canonical';
import { sha256Hex } from '../crypto/digest';
import { inspectWasm } from '../wasm/inspect';
import { err, ok, type Result } from '../result';

export const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d] as const;
export const MAX_PURPOSE_CHARS = 2000;

const positive = z.number().int().positive();
export const ZSubmissionManifestSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  description: z.string().optional(),
  entry: z.string().optional(),
  capabilities: z.array(z.enum(CAPABILITIES)).optional(),
  limits: z.strictObject({ fuel: positive, memoryPages: z.number().int().min(0), wallMs: positive, outputBytes: z.number().int().min(0) }).partial().optional(),
});
export type TSubmissionManifest = z.infer<typeof ZSubmissionManifestSchema>;

export const ZPurposeSchema = z.string().trim().min(1, 'must say what the module is for').max(MAX_PURPOSE_CHARS);

export interface Intake {
  readonly manifest: TManifest;
  readonly manifestJson: string;
  readonly manifestSha256: string;
  readonly wasmSha256: string;
  readonly purpose: string;
}

export type IntakeCode = 'NOT_WASM' | 'SUBMISSION_INVALID';

/** True when the bytes start like a WebAssembly binary (the 415 check: wrong media, not a bad module). */
export const looksLikeWasm = (bytes: Uint8Array): boolean => WASM_MAGIC.every((b, i) => bytes[i] === b);

/** `defaultName` names the module when no manifest is given (e.g. from the agent's name). */
export function readSubmission(input: { wasm: Uint8Array; manifest: unknown; purpose: unknown; defaultName: string }): Result<Intake, IntakeCode> {
  if (!looksLikeWasm(input.wasm)) return err('NOT_WASM', 'The module is not WebAssembly (it does not start with \\0asm).');
  const issues: string[] = [];
  const report = inspectWasm(input.wasm);
  if (!report.ok) issues.push(`module: ${report.message}`);
  const purpose = ZPurposeSchema.safeParse(input.purpose);
  if (!purpose.success) issues.push(...describeIssues(purpose.error).map((i) => i.replace('(root)', 'purpose')));
  const given = ZSubmissionManifestSchema.safeParse(input.manifest ?? { name: input.defaultName, version: '0.0.0' });
  if (!given.success) issues.push(...describeIssues(given.error).map((i) => `manifest.${i}`));
  let manifest: TManifest | undefined;
  if (given.success) {
    const built = createManifest(input.wasm, given.data);
    if (built.ok) manifest = built.value;
    else issues.push(...(built.issues ?? [built.message]).map((i) => `manifest.${i}`));
  }
  if (issues.length > 0 || !manifest || !purpose.success) {
    return err('SUBMISSION_INVALID', `The submission has ${issues.length} problem(s): ${issues.join('; ')}`, issues);
  }
  const manifestJson = canonicalJson(manifest);
  if (!manifestJson.ok) return err('SUBMISSION_INVALID', manifestJson.message, [manifestJson.message]);
  return ok({ manifest, manifestJson: manifestJson.value, manifestSha256: sha256Hex(manifestJson.value), wasmSha256: sha256Hex(input.wasm), purpose: purpose.data });
}
