/**
 * The server's own Ed25519 key, which signs audit checkpoints. Created on first start in
 * `<dataDir>/server-key.json` (mode 0600) and reused after that.
 *
 * Permissions policy (decided): if the file is readable or writable by group/other, is not owned by
 * this user, or is a symbolic link, we REFUSE to start instead of silently repairing it. A key that
 * others could read may already have been copied, and anyone holding it can forge checkpoints;
 * chmod-ing it back would hide that. The error tells the operator how to fix it (chmod 600) and
 * that they should consider rotating the key. (Security beats convenience.)
 */
import { createPrivateKey, createPublicKey, createHash, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const SERVER_KEY_FILE = 'server-key.json';
export const SERVER_KEY_FORMAT = 'nightcore.server-key/v1';

export interface ServerKey {
  /** hex SHA-256 of the raw 32-byte public key */
  readonly keyid: string;
  readonly publicKey: Uint8Array;
  readonly createdAt: string;
  /** true when this call created the key (the caller may audit 'server.key_created') */
  readonly created: boolean;
  sign(message: Uint8Array): Uint8Array;
}

export type ServerKeyCode = 'KEY_FILE_INSECURE' | 'KEY_FILE_INVALID';

export class ServerKeyError extends Error {
  constructor(
    readonly code: ServerKeyCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServerKeyError';
  }
}

// DER prefixes that wrap a raw Ed25519 seed (PKCS#8) or public key (SPKI) for node:crypto.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export const keyIdOfPublicKey = (publicKey: Uint8Array): string => createHash('sha256').update(publicKey).digest('hex');

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const x = createPublicKey(key).export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new ServerKeyError('KEY_FILE_INVALID', 'could not derive the public key');
  return new Uint8Array(Buffer.from(x, 'base64url'));
}

// Verification checks one checkpoint per 1000 events, nearly always with the same server key:
// keep its parsed KeyObject instead of re-importing it each time.
let lastKey: { raw: Buffer; key: KeyObject } | undefined;

/** Ed25519 verification with node:crypto; false (never a throw) for malformed keys or signatures. */
export function verifyEd25519Node(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const raw = Buffer.from(publicKey);
    if (!lastKey || !lastKey.raw.equals(raw)) {
      lastKey = { raw, key: createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' }) };
    }
    return verify(null, message, lastKey.key, signature);
  } catch {
    return false;
  }
}

interface KeyFile {
  type: string;
  keyid: string;
  publicKey: string;
  seed: string;
  createdAt: string;
}

function toServerKey(file: KeyFile, created: boolean, path: string): ServerKey {
  const invalid = (why: string) => new ServerKeyError('KEY_FILE_INVALID', `${path}: ${why}`);
  if (file.type !== SERVER_KEY_FORMAT) throw invalid(`not a ${SERVER_KEY_FORMAT} file`);
  const seed = typeof file.seed === 'string' ? Buffer.from(file.seed, 'base64') : Buffer.alloc(0);
  if (seed.length !== 32) throw invalid('seed is not 32 bytes of base64');
  const privateKey = privateKeyFromSeed(seed);
  const publicKey = rawPublicKey(privateKey);
  // The stored public key and id are a cross-check that the file was not edited or mixed up.
  if (Buffer.from(publicKey).toString('base64') !== file.publicKey) throw invalid('publicKey does not match the seed');
  const keyid = keyIdOfPublicKey(publicKey);
  if (keyid !== file.keyid) throw invalid('keyid does not match the public key');
  return {
    keyid,
    publicKey,
    createdAt: String(file.createdAt),
    created,
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

function readKeyFile(path: string, currentUid: () => number | undefined): KeyFile {
  // O_NOFOLLOW + fstat on the open descriptor: the checks apply to the very file we read.
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new ServerKeyError('KEY_FILE_INSECURE', `${path} is a symbolic link; the server key must be a regular file`);
    }
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ServerKeyError('KEY_FILE_INSECURE', `${path} is not a regular file`);
    if (process.platform !== 'win32') {
      if ((st.mode & 0o077) !== 0) {
        const mode = (st.mode & 0o777).toString(8);
        throw new ServerKeyError(
          'KEY_FILE_INSECURE',
          `${path} has mode ${mode}: group or others can access the server key. Refusing to use it. ` +
            `Run "chmod 600 ${path}" and, if anyone else may have read it, move it away so a new key is created.`,
        );
      }
      const uid = currentUid();
      if (uid !== undefined && st.uid !== uid) {
        throw new ServerKeyError('KEY_FILE_INSECURE', `${path} is owned by uid ${st.uid}, not by this user (uid ${uid})`);
      }
    }
    const text = readFileSync(fd, 'utf8');
    try {
      return JSON.parse(text) as KeyFile;
    } catch {
      throw new ServerKeyError('KEY_FILE_INVALID', `${path} is not valid JSON`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes the new key to a private temp file, then links it into place: never a half-written key, never an overwrite. */
export function createKeyFile(path: string, now: Date): boolean {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(String(jwk.d), 'base64url');
  const publicKey = Buffer.from(String(jwk.x), 'base64url');
  const file: KeyFile = {
    type: SERVER_KEY_FORMAT,
    keyid: keyIdOfPublicKey(publicKey),
    publicKey: publicKey.toString('base64'),
    seed: seed.toString('base64'),
    createdAt: now.toISOString(),
  };
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600); // umask can only remove bits, so this is at most 0600
  try {
    writeSync(fd, JSON.stringify(file, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false; // another process created it first: use theirs
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

export interface ServerKeyOptions {
  readonly now?: () => Date;
  /** The uid the key file must belong to (default: this process's); injectable so the owner check is testable without root. */
  readonly currentUid?: () => number | undefined;
}

/** The key in a key file at `path`, with every check loadOrCreateServerKey makes (mode, owner, not a link, seed matches). */
export function loadServerKeyFile(path: string, options: ServerKeyOptions = {}): ServerKey {
  return toServerKey(readKeyFile(path, options.currentUid ?? (() => process.getuid?.())), false, path);
}

export function loadOrCreateServerKey(dataDir: string, options: ServerKeyOptions = {}): ServerKey {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, SERVER_KEY_FILE);
  const uid = options.currentUid ?? (() => process.getuid?.());
  try {
    return toServerKey(readKeyFile(path, uid), false, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const created = createKeyFile(path, (options.now ?? (() => new Date()))());
  return toServerKey(readKeyFile(path, uid), created, path);
}
