/** Rewrites the README's backend assurance section from the backends' declared guarantees. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withAssurance } from '../server/core/sandbox/assurance';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withAssurance(before);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? 'README assurance table is up to date' : 'README assurance table rewritten');
