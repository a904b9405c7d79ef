// @ts-check
/** The one rule for entry paths of a preopened directory, shared by the pool's check and the worker. */
import { MAX_NAME_BYTES } from './tree.mjs';

const utf8 = new TextEncoder();

/** Why an entry path is unacceptable, or null. */
/** @param {string} path */
export function entryPathProblem(path) {
  if (typeof path !== 'string' || path.length === 0) return 'empty path';
  if (path.includes('\0')) return 'NUL in path';
  const parts = path.split('/');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') return `"${part}" component (paths are relative and normalized)`;
    if (utf8.encode(part).length > MAX_NAME_BYTES) return 'name longer than 255 bytes';
  }
  return null;
}

