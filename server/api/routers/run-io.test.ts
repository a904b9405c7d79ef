/**
 * The console Run form's files and calls through the modules router, over real services: input files
 * preopened as `/`, the final tree released as downloads only on allow, bad paths refused before
 * anything runs, and a typed export call.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WRITES_FILE, variant, wat } from '../../core/sandbox/test-modules';
import { openHarness, type Harness } from '../../services/test-fixtures';
import { defaultPolicyPath } from '../../services/policy-store';
import { createCaller } from '../root';
import { ctxFor, sessionFor, trpcCode } from '../test-support';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('modules.run with files and calls', () => {
  let h: Harness;
  const operator = () => createCaller(ctxFor(sessionFor('operator'), h.services));

  beforeAll(() => {
    // The shipped default grants no file access; this console's policy grants it.
    const policy = JSON.parse(readFileSync(defaultPolicyPath(), 'utf8'));
    policy.capabilities = [...policy.capabilities, 'fs.read', 'fs.write'];
    const file = join(mkdtempSync(join(tmpdir(), 'nightcore-policy-')), 'files.json');
    writeFileSync(file, JSON.stringify(policy));
    h = openHarness({ policyPath: file });
    h.install(variant(WRITES_FILE, 'writer'), { name: 'writer', capabilities: ['fs.read', 'fs.write', 'stdout', 'stderr', 'exit'] });
    h.install(variant(WRITES_FILE, 'starved'), { name: 'starved', capabilities: ['fs.read', 'fs.write', 'stdout', 'stderr', 'exit'], limits: { fuel: 5 } });
    h.install(wat('(module (func (export "_start")) (func (export "add") (param i64 f64) (result i64) local.get 0 local.get 1 i64.trunc_f64_s i64.add))'), { name: 'adder', capabilities: [] });
  });
  afterAll(async () => {
    await h.services.close();
  });

  it('preopens the input files as / and offers the final tree for download when the run is allowed', async () => {
    const r = await operator().modules.run({ name: 'writer', files: [{ path: 'in.txt', data: b64('input') }, { path: 'sub/note.md', data: b64('# note') }] });
    expect(r.record.decision).toBe('allow');
    const files = Object.fromEntries(r.outputs!.files.map((f) => [f.path, f.data && Buffer.from(f.data, 'base64').toString()]));
    expect(files).toEqual({ 'in.txt': 'input', 'sub/note.md': '# note', 'out.txt': 'written in the sandbox' });
    expect(r.outputs!.bytesOmitted).toBe(false);
    expect(r.record.input.dirs?.[0]?.guestPath).toBe('/');
  });

  it('releases no files of a denied run', async () => {
    const r = await operator().modules.run({ name: 'starved', files: [{ path: 'in.txt', data: b64('input') }] });
    expect(r.record.decision).toBe('deny');
    expect(r.outputs).toBeNull();
  });

  it('refuses escaping or repeated paths before anything runs', async () => {
    const before = h.services.backend().stats().completed;
    for (const path of ['../etc/passwd', '/abs', 'a/../../b', 'dir/', 'a/./b']) {
      expect(await trpcCode(operator().modules.run({ name: 'writer', files: [{ path, data: b64('x') }] })), path).toBe('BAD_REQUEST');
    }
    expect(await trpcCode(operator().modules.run({ name: 'writer', files: [{ path: 'a', data: b64('1') }, { path: 'a', data: b64('2') }] }))).toBe('BAD_REQUEST');
    expect(h.services.backend().stats().completed).toBe(before);
  });

  it('calls an export with arguments typed by its signature, and refuses bad ones', async () => {
    const r = await operator().modules.run({ name: 'adder', call: { export: 'add', args: ['9007199254740993', '2.9'] } });
    expect(r.record.decision).toBe('allow');
    expect(r.record.execution?.returnValues).toEqual([{ type: 'i64', value: '9007199254740995' }]);
    expect(await trpcCode(operator().modules.run({ name: 'adder', call: { export: 'add', args: ['1'] } }))).toBe('BAD_REQUEST');
    expect(await trpcCode(operator().modules.run({ name: 'adder', call: { export: 'nope', args: [] } }))).toBe('BAD_REQUEST');
  });
});
