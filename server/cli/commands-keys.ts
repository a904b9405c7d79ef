/** `keygen` and `trust add|list|revoke`: creating signing keys and registering the trusted ones. */
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '../core/crypto/ed25519';
import { keyIdOf, encodePrivateKeyFile, encodePublicKeyFile, parsePublicKeyFile } from '../core/crypto/keys';
import type { KeyRole } from '../core/module/verify';
import { KEY_ROLES } from '../services/trust-store';
import type { Command } from './command';
import { optionalString, requireString } from './command';
import { EXIT_OK, UsageError, cliActor, keepLine, reject } from './io';
import { withServices } from './services';

export const keygen: Command = {
  name: 'keygen',
  summary: 'create an Ed25519 signing key pair (private key file written 0600)',
  usage: 'nightcore keygen --out DIR [--name N]',
  options: { out: { type: 'string' }, name: { type: 'string' } },
  optionHelp: { out: 'folder for <name>.key and <name>.pub', name: 'file name stem (default: nightcore)' },
  positionals: 0,
  run({ values, out }) {
    const dir = requireString(values, 'out');
    const name = optionalString(values, 'name') ?? 'nightcore';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new UsageError('--name may hold letters, digits, ".", "_" and "-"');
    mkdirSync(dir, { recursive: true });
    const pair = generateKeyPair();
    const keyid = keyIdOf(pair.publicKey);
    const privatePath = join(dir, `${name}.key`);
    const publicPath = join(dir, `${name}.pub`);
    // 'wx' refuses to overwrite: losing a signing key to a typo is not recoverable.
    writeFileSync(privatePath, encodePrivateKeyFile(pair), { mode: 0o600, flag: 'wx' });
    writeFileSync(publicPath, encodePublicKeyFile(pair.publicKey), { mode: 0o644, flag: 'wx' });
    keepLine(out, `created key ${keyid}`);
    out.line(`  private key: ${privatePath} (keep it secret; mode 0600)`);
    out.line(`  public key:  ${publicPath} (an admin registers it with: nightcore trust add ${publicPath} --role publisher)`);
    out.data({ ok: true, keyid, privateKey: privatePath, publicKey: publicPath });
    return EXIT_OK;
  },
};

export const trustAdd: Command = {
  name: 'trust add',
  summary: 'register a public key in the trust store',
  usage: 'nightcore trust add <pubfile> --role publisher|approver|auditor [--name N]',
  options: { role: { type: 'string' }, name: { type: 'string' } },
  optionHelp: { role: `what the key may sign: ${KEY_ROLES.join(', ')}`, name: 'a name people recognise (default: file name)' },
  positionals: 1,
  run({ values, positionals, out }) {
    const role = requireString(values, 'role');
    if (!KEY_ROLES.includes(role as KeyRole)) throw new UsageError(`--role must be one of ${KEY_ROLES.join(', ')}`);
    const file = positionals[0]!;
    const parsed = parsePublicKeyFile(readFileSync(file, 'utf8'));
    if (!parsed.ok) return reject(out, parsed);
    const name = optionalString(values, 'name') ?? file.replace(/^.*[\\/]/, '').replace(/\.(pub|b64)$/, '');
    return withServices(values, (s) => {
      const added = s.trust.add({ publicKey: parsed.value, role: role as KeyRole, name }, cliActor());
      if (!added.ok) return reject(out, added);
      out.line(`trusted ${added.value.keyid} as "${added.value.name}" (${added.value.role})`);
      out.data({ ok: true, key: added.value });
      return EXIT_OK;
    });
  },
};

export const trustList: Command = {
  name: 'trust list',
  summary: 'list registered keys',
  usage: 'nightcore trust list [--json]',
  options: {},
  optionHelp: {},
  positionals: 0,
  run({ values, out }) {
    return withServices(values, (s) => {
      const keys = s.trust.list();
      out.data({ ok: true, keys });
      if (keys.length === 0) out.line('no keys registered yet (nightcore trust add <pubfile> --role publisher)');
      for (const k of keys) {
        const state = k.status === 'revoked' ? `revoked ${k.revokedAt?.toISOString()} (${k.revokeReason})` : 'active';
        out.line(`${k.keyid}  ${k.role.padEnd(9)}  ${state.padEnd(8)}  ${k.name}  added by ${k.addedBy}`);
      }
      return EXIT_OK;
    });
  },
};

export const trustRevoke: Command = {
  name: 'trust revoke',
  summary: 'revoke a key: modules first seen at or after the revocation time stop verifying',
  usage: 'nightcore trust revoke <keyid> --reason TEXT [--at ISO-TIME]',
  options: { reason: { type: 'string' }, at: { type: 'string' } },
  optionHelp: {
    reason: 'why (recorded in the audit log)',
    at: 'back-date the revocation to when a compromise began (default: now)',
  },
  positionals: 1,
  run({ values, positionals, out }) {
    const reason = requireString(values, 'reason');
    const atText = optionalString(values, 'at');
    const at = atText === undefined ? undefined : new Date(atText);
    if (at && Number.isNaN(at.getTime())) throw new UsageError('--at must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z');
    return withServices(values, (s) => {
      const revoked = s.trust.revoke(positionals[0]!, reason, cliActor(), at);
      if (!revoked.ok) return reject(out, revoked);
      out.line(`revoked ${revoked.value.keyid} ("${revoked.value.name}") at ${revoked.value.revokedAt?.toISOString()}`);
      out.data({ ok: true, key: revoked.value });
      return EXIT_OK;
    });
  },
};
