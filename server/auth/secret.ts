/**
 * The secret that signs and encrypts session tokens: AUTH_SECRET if set, else a random one created
 * once in <dataDir>/auth-secret (mode 0600) so sessions survive restarts without configuration.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const AUTH_SECRET_FILE = 'auth-secret';
const MIN_SECRET_CHARS = 32;

export function loadOrCreateAuthSecret(dataDir: string, envSecret: string | undefined): string {
  if (envSecret !== undefined && envSecret !== '') {
    if (envSecret.length < MIN_SECRET_CHARS) throw new Error(`AUTH_SECRET must be at least ${MIN_SECRET_CHARS} characters`);
    return envSecret;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, AUTH_SECRET_FILE);
  try {
    // 'wx': if two processes start at once, one creates the file and the other reads it
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  // Anyone who can read this file can mint sessions: refuse a file others can read or write.
  if ((statSync(file).mode & 0o077) !== 0) throw new Error(`${file} must not be readable by group or others`);
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < MIN_SECRET_CHARS) throw new Error(`${file} holds a secret shorter than ${MIN_SECRET_CHARS} characters`);
  return secret;
}
