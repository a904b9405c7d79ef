/**
 * `audit key`, `audit prove`, `audit consistency` and `audit check`: proofs an outsider can check.
 * `audit check` opens no database and no services: it needs only the bundle and the log's verifier
 * key, so an auditor can run it on their own machine.
 */
import { readFileSync, statSync } from 'node:fs';
import { verifyEd25519 } from '../core/crypto/ed25519';
import { CONSISTENCY_BUNDLE, INCLUSION_BUNDLE, verifyConsistencyBundle, verifyInclusionBundle } from '../core/audit/proof-bundle';
import { parseVerifierKey } from '../core/audit/signed-note';
import { proveConsistency, proveInclusion, verifierKeyOf } from '../services/audit-proofs';
import type { Services } from '../services/index';
import type { Command, CommandContext } from './command';
import { optionalString, requireString } from './command';
import { EXIT_OK, UsageError, reject } from './io';
import { withServices } from './services';

export interface ProofCommandDeps {
  readonly withServices: <T>(values: CommandContext['values'], fn: (s: Services) => T | Promise<T>) => Promise<T>;
  readonly print: (text: string) => void;
}

const DEFAULT_DEPS: ProofCommandDeps = { withServices, print: (text) => process.stdout.write(text) };

/** Bundles are a few KiB; anything far larger is not one. */
const MAX_INPUT_BYTES = 1024 * 1024;

function positiveInt(text: string | undefined, what: string): number {
  if (text === undefined || !/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`${what} must be a positive integer`);
  return Number(text);
}

function readSmallFile(path: string, what: string): string {
  if (statSync(path).size > MAX_INPUT_BYTES) throw new UsageError(`${what} ${path} is larger than ${MAX_INPUT_BYTES} bytes`);
  return readFileSync(path, 'utf8');
}

export function createProofCommands(deps: ProofCommandDeps = DEFAULT_DEPS) {
  const auditKey: Command = {
    name: 'audit key',
    summary: "print the log's verifier key (for auditors and witnesses)",
    usage: 'nightcore audit key',
    options: {},
    optionHelp: {},
    positionals: 0,
    run({ values, out }) {
      return deps.withServices(values, (s) => {
        const vkey = verifierKeyOf(s.audit, s.serverKey.publicKey);
        out.line(vkey);
        out.data({ ok: true, origin: s.audit.origin, verifierKey: vkey });
        return EXIT_OK;
      });
    },
  };

  const auditProve: Command = {
    name: 'audit prove',
    summary: 'print an inclusion proof of one event in a signed tree head (JSON)',
    usage: 'nightcore audit prove <seq> [--size N]',
    options: { size: { type: 'string' } },
    optionHelp: { size: 'prove against the checkpoint at this tree size (default: the newest)' },
    positionals: 1,
    run({ values, positionals, out }) {
      const seq = positiveInt(positionals[0], 'seq');
      const sizeText = optionalString(values, 'size');
      const size = sizeText === undefined ? undefined : positiveInt(sizeText, '--size');
      return deps.withServices(values, (s) => {
        const bundle = proveInclusion(s.audit, seq, size);
        if (!bundle.ok) return reject(out, bundle);
        deps.print(`${JSON.stringify(bundle.value, null, 2)}\n`);
        return EXIT_OK;
      });
    },
  };

  const auditConsistency: Command = {
    name: 'audit consistency',
    summary: 'print a consistency proof between two signed tree heads (JSON)',
    usage: 'nightcore audit consistency <old-size> <new-size>',
    options: {},
    optionHelp: {},
    positionals: 2,
    run({ values, positionals, out }) {
      const oldSize = positiveInt(positionals[0], 'old-size');
      const newSize = positiveInt(positionals[1], 'new-size');
      return deps.withServices(values, (s) => {
        const bundle = proveConsistency(s.audit, oldSize, newSize);
        if (!bundle.ok) return reject(out, bundle);
        deps.print(`${JSON.stringify(bundle.value, null, 2)}\n`);
        return EXIT_OK;
      });
    },
  };

  const auditCheck: Command = {
    name: 'audit check',
    summary: 'verify a proof from "audit prove" or "audit consistency" with only the verifier key (no database)',
    usage: 'nightcore audit check <proof.json> --key <verifier key | file>',
    options: { key: { type: 'string' } },
    optionHelp: { key: 'the verifier key printed by "audit key", or a file holding it' },
    positionals: 1,
    run({ values, positionals, out }) {
      const keyArg = requireString(values, 'key');
      const key = parseVerifierKey(keyArg.includes('+') ? keyArg : readSmallFile(keyArg, 'key file'));
      if (!key.ok) return reject(out, key);
      let bundle: unknown;
      try {
        bundle = JSON.parse(readSmallFile(positionals[0]!, 'proof'));
      } catch (e) {
        if (e instanceof UsageError) throw e;
        return reject(out, { code: 'BUNDLE_MALFORMED', message: `${positionals[0]} is not JSON` });
      }
      const type = (bundle as { type?: unknown } | null)?.type;
      if (type === INCLUSION_BUNDLE) {
        const r = verifyInclusionBundle(bundle, key.value, verifyEd25519);
        if (!r.ok) return reject(out, r);
        out.line(`verified: event ${r.value.seq} is in the tree of size ${r.value.treeSize} signed by ${r.value.origin}`);
        out.data({ ok: true, kind: 'inclusion', ...r.value });
        return EXIT_OK;
      }
      if (type === CONSISTENCY_BUNDLE) {
        const r = verifyConsistencyBundle(bundle, key.value, verifyEd25519);
        if (!r.ok) return reject(out, r);
        out.line(`verified: the tree of size ${r.value.newSize} extends the tree of size ${r.value.oldSize} of ${r.value.origin}`);
        out.data({ ok: true, kind: 'consistency', ...r.value });
        return EXIT_OK;
      }
      return reject(out, { code: 'BUNDLE_MALFORMED', message: `unknown proof type; expected ${INCLUSION_BUNDLE} or ${CONSISTENCY_BUNDLE}` });
    },
  };

  return { auditKey, auditProve, auditConsistency, auditCheck };
}

export const PROOF_COMMANDS: readonly Command[] = Object.values(createProofCommands());
