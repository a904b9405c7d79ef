/** `init`, `sign`, `verify`, `inspect`, `import`: making, signing and admitting module bundles. */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createManifest, signManifest } from '../core/module/sign';
import { ZManifestSchema, describeIssues, CAPABILITIES, type Capability } from '../core/module/manifest';
import { parsePrivateKeyFile } from '../core/crypto/keys';
import { sha256Hex } from '../core/crypto/digest';
import { inspectWasm, formatReport } from '../core/wasm/inspect';
import { writeBundle, readModuleFolder, BUNDLE_FILES } from '../services/bundle-files';
import type { Command } from './command';
import { optionalString, requireString } from './command';
import { EXIT_OK, UsageError, cliActor, reject } from './io';
import { withServices } from './services';
import { inferManifestFields, type Inference } from '../core/module/infer';
import { resolvePolicyPath } from '../services/config';
import { defaultPolicyPath, loadPolicyFile } from '../services/policy-store';

function positiveInt(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number`);
  return n;
}

export const init: Command = {
  name: 'init',
  summary: 'create an unsigned bundle folder (module.wasm + nightcore.json) from a .wasm file',
  usage: 'nightcore init <wasm> --name N --version V [--out DIR] [--tenant T] [--description D] [--entry E] [--capability C ...] [--policy FILE]',
  options: {
    name: { type: 'string' },
    version: { type: 'string' },
    out: { type: 'string' },
    tenant: { type: 'string' },
    description: { type: 'string' },
    entry: { type: 'string' },
    capability: { type: 'string', multiple: true },
    fuel: { type: 'string' },
    'memory-pages': { type: 'string' },
    'wall-ms': { type: 'string' },
    'output-bytes': { type: 'string' },
    'table-elements': { type: 'string' },
    policy: { type: 'string' },
  },
  optionHelp: {
    name: 'module name (lower-case letters, digits, . _ -)',
    version: 'semantic version, e.g. 1.0.0',
    out: 'bundle folder to create (default: ./<name>-<version>)',
    tenant: 'tenant (default: default)',
    description: 'one line about what the module does',
    entry: 'exported function to run (default: _start, or _initialize for a reactor)',
    capability: `requested WASI capability, repeatable: ${CAPABILITIES.join(', ')} (default: inferred from the imports)`,
    fuel: 'requested fuel budget',
    'memory-pages': 'requested memory cap in 64 KiB pages (default: sized from the module, within the policy cap)',
    'wall-ms': 'requested wall-clock limit in ms',
    'output-bytes': 'requested stdout+stderr cap in bytes',
    'table-elements': 'requested cap on table elements over all tables (default: 65536)',
    policy: 'policy whose memory cap bounds the request (default: $NIGHTCORE_POLICY or policies/default.json)',
  },
  positionals: 1,
  run({ values, positionals, out }) {
    const wasm = new Uint8Array(readFileSync(positionals[0]!));
    const name = requireString(values, 'name');
    const version = requireString(values, 'version');
    const report = inspectWasm(wasm);
    if (!report.ok) return reject(out, report);
    const policy = loadPolicyFile(resolvePolicyPath(optionalString(values, 'policy')) ?? defaultPolicyPath());
    if (!policy.ok) return reject(out, policy);
    const inferred = inferManifestFields(report.value, policy.value.policy.limits.memoryPages);
    const givenCapabilities = values.capability as Capability[] | undefined;
    const entry = optionalString(values, 'entry') ?? inferred.entry?.name;
    if (entry === undefined) {
      throw new UsageError(`the module exports neither _start nor _initialize; choose its entry with --entry (exported functions: ${inferred.callable.join(', ') || 'none'})`);
    }
    const limits = {
      fuel: positiveInt(values, 'fuel'),
      memoryPages: positiveInt(values, 'memory-pages') ?? inferred.memory.requestedPages,
      wallMs: positiveInt(values, 'wall-ms'),
      outputBytes: positiveInt(values, 'output-bytes'),
      tableElements: positiveInt(values, 'table-elements'),
    };
    const created = createManifest(wasm, {
      name,
      version,
      tenant: optionalString(values, 'tenant'),
      description: optionalString(values, 'description'),
      entry,
      capabilities: givenCapabilities ?? [...inferred.capabilities],
      limits,
    });
    if (!created.ok) return reject(out, created);
    for (const line of explainInference(inferred, { capabilitiesGiven: givenCapabilities !== undefined, memoryGiven: values['memory-pages'] !== undefined, entryGiven: values.entry !== undefined })) {
      out.line(line);
    }
    const dir = optionalString(values, 'out') ?? `${name}-${version}`;
    if (existsSync(join(dir, BUNDLE_FILES.manifest))) throw new UsageError(`${dir} already holds a bundle`);
    writeBundle(dir, wasm, created.value, null);
    out.line(`created bundle ${dir} (${name}@${version}, wasm sha256 ${created.value.wasm.sha256}); sign it with: nightcore sign ${dir} --key <file.key>`);
    out.data({ ok: true, bundle: dir, manifest: created.value, inferred });
    return EXIT_OK;
  },
};

export const sign: Command = {
  name: 'sign',
  summary: 'add your signature to a bundle (other signatures are kept)',
  usage: 'nightcore sign <bundle> --key FILE.key',
  options: { key: { type: 'string' } },
  optionHelp: { key: 'private key file written by nightcore keygen' },
  positionals: 1,
  run({ values, positionals, out }) {
    const dir = positionals[0]!;
    const key = parsePrivateKeyFile(readFileSync(requireString(values, 'key'), 'utf8'));
    if (!key.ok) return reject(out, key);
    const folder = readModuleFolder(dir);
    if (!folder.ok) return reject(out, folder);
    if (folder.value.kind !== 'bundle') return reject(out, { code: 'NOT_A_BUNDLE', message: `${dir} is a legacy tenant folder; import it instead` });
    let raw: unknown;
    try {
      raw = JSON.parse(folder.value.manifestText);
    } catch (e) {
      return reject(out, { code: 'MANIFEST_INVALID', message: `nightcore.json is not JSON: ${(e as Error).message}` });
    }
    const manifest = ZManifestSchema.safeParse(raw);
    if (!manifest.success) return reject(out, { code: 'MANIFEST_INVALID', message: 'nightcore.json has invalid fields', issues: describeIssues(manifest.error) });
    // Refuse to vouch for bytes the manifest does not describe.
    if (sha256Hex(folder.value.wasm) !== manifest.data.wasm.sha256) {
      return reject(out, { code: 'DIGEST_MISMATCH', message: 'module.wasm does not match wasm.sha256 in nightcore.json; run init again' });
    }
    const envelope = folder.value.envelopeText.trim() === '' ? null : folder.value.envelopeText;
    const signed = signManifest(manifest.data, envelope, key.value.seed);
    if (!signed.ok) return reject(out, signed);
    writeBundle(dir, folder.value.wasm, manifest.data, signed.value);
    out.line(`signed ${manifest.data.name}@${manifest.data.version} with key ${key.value.keyid} (${signed.value.signatures.length} signature(s) now)`);
    out.data({ ok: true, keyid: key.value.keyid, signatures: signed.value.signatures.length });
    return EXIT_OK;
  },
};

export const verify: Command = {
  name: 'verify',
  summary: 'verify a bundle or legacy tenant folder against the trust store (changes nothing)',
  usage: 'nightcore verify <bundle|tenant-folder> [--json]',
  options: {},
  optionHelp: {},
  positionals: 1,
  run({ values, positionals, out }) {
    return withServices(values, (s) => {
      const result = s.modules.verifyFolder(positionals[0]!);
      if (!result.ok) return reject(out, result);
      const v = result.value.verified;
      out.line(`verified ${v.manifest.name}@${v.manifest.version} (${v.source})`);
      out.line(`  wasm sha256      ${v.wasmSha256}`);
      out.line(`  manifest sha256  ${v.manifestSha256}`);
      for (const signer of v.signers) out.line(`  signed by        ${signer.name} (${signer.role}) ${signer.keyid}`);
      out.data({ ok: true, ...v });
      return EXIT_OK;
    });
  },
};

export const inspect: Command = {
  name: 'inspect',
  summary: 'report a module\'s imports, exports, memory and sections without running it',
  usage: 'nightcore inspect <wasm|bundle> [--json]',
  options: {},
  optionHelp: {},
  positionals: 1,
  async run({ positionals, out }) {
    const target = positionals[0]!;
    const file = statSync(target).isDirectory() ? join(target, BUNDLE_FILES.wasm) : target;
    const report = inspectWasm(new Uint8Array(readFileSync(file)));
    if (!report.ok) return reject(out, report);
    out.line(formatReport(report.value));
    // Streamed: a report of a module with millions of imports or exports is too big for one string.
    if (out.dataStreamed) await out.dataStreamed({ ok: true, report: report.value });
    else out.data({ ok: true, report: report.value });
    return EXIT_OK;
  },
};

export const importCmd: Command = {
  name: 'import',
  summary: 'verify a bundle or legacy tenant folder and store it (audited)',
  usage: 'nightcore import <bundle|tenant-folder> [--legacy] [--json]',
  options: { legacy: { type: 'boolean' } },
  optionHelp: { legacy: 'accept a legacy tenant folder (its name and version are unsigned; recorded as such)' },
  positionals: 1,
  run({ values, positionals, out }) {
    return withServices(values, (s) => {
      const result = s.modules.importFolder(positionals[0]!, cliActor(), { allowLegacy: values.legacy === true });
      if (!result.ok) return reject(out, result);
      const { wasm: _bytes, ...row } = result.value;
      void _bytes;
      out.line(`imported ${row.name}@${row.version} (${row.source}, wasm sha256 ${row.wasmSha256})`);
      out.data({ ok: true, module: row });
      return EXIT_OK;
    });
  },
};

/** Says what init inferred and why, so the author can check it before signing. */
function explainInference(inf: Inference, given: { capabilitiesGiven: boolean; memoryGiven: boolean; entryGiven: boolean }): string[] {
  const lines: string[] = [];
  if (given.capabilitiesGiven) {
    lines.push('capabilities: as given with --capability (nothing inferred)');
  } else if (inf.reasons.length === 0) {
    lines.push('capabilities: none (the module imports no WASI function that needs one)');
  } else {
    lines.push('capabilities inferred from the imports:');
    for (const r of inf.reasons) lines.push(`  ${r.capability}: imports ${r.functions.join(', ')}`);
  }
  if (inf.foreignImports.length > 0) {
    lines.push(`warning: imports from outside WASI (${inf.foreignImports.slice(0, 10).join(', ')}${inf.foreignImports.length > 10 ? ', ...' : ''}) need a JavaScript host that Night Core does not run; Guardian will refuse the module`);
  }
  if (!given.memoryGiven) lines.push(`memory: ${inf.memory.note}`);
  if (!given.entryGiven && inf.entry?.kind === 'reactor') {
    lines.push(`entry: _initialize (a reactor); call its exports with: nightcore call <name> <export> [args...] (${inf.callable.slice(0, 10).join(', ')})`);
  } else if (!given.entryGiven && inf.entry) {
    lines.push('entry: _start (a command)');
  }
  return lines;
}
