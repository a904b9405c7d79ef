/**
 * The process backend for real: bubblewrap jails on this machine (npm test installs bubblewrap when
 * it is missing, like Chromium). Same request, same result as the worker backend; timeouts, the
 * kill switch and crashes; and the jail's own properties, probed from inside.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { createWorkerThreadsBackend } from '../worker-threads';
import { DEFAULT_WORKER_URL } from '../worker-threads/worker-url';
import * as m from '../test-modules';
import { createProcessBackend, findJailTools, jailArgv, JAIL_MAX_TASKS, JAIL_SANDBOX_DIR, JAIL_USER } from './index';

const sandboxDir = dirname(dirname(fileURLToPath(import.meta.url)));
const made = createProcessBackend({ sandboxDir, node: process.execPath, size: 2 });
if (!made.ok) throw new Error(`${made.code}: ${made.message}`);
const jailed = made.value;
const threads = createWorkerThreadsBackend({ size: 1, workerUrl: DEFAULT_WORKER_URL });
afterAll(async () => {
  await jailed.close();
  await threads.close();
});

const must = async (backend: typeof jailed, req: ReturnType<typeof m.request>) => {
  const r = await backend.run(req);
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
};
const comparable = (r: Awaited<ReturnType<typeof must>>) => ({
  outcome: r.outcome,
  fuelUsed: r.fuelUsed,
  peakMemoryPages: r.peakMemoryPages,
  stdout: Buffer.from(r.stdout).toString('base64'),
  stderr: Buffer.from(r.stderr).toString('base64'),
  outputTruncated: r.outputTruncated,
  returnValues: r.returnValues?.map((v) => `${v.type}:${v.value}`),
});
const ADD = m.wat('(module (func (export "add") (param i64 f64) (result i64 f64) local.get 0 i64.const 1 i64.add local.get 1 f64.const 0.5 f64.add))');

describe('process backend', () => {
  it('refuses to start without bubblewrap, saying how to install it (no silent fall-back)', () => {
    const missing = createProcessBackend({ sandboxDir, node: process.execPath, bwrap: '/nonexistent/bwrap', systemDirs: [] });
    expect(missing.ok ? 'started' : missing.code).toBe('BACKEND_UNAVAILABLE');
    expect(!missing.ok && missing.message).toMatch(/apt-get install bubblewrap/);
    expect(jailed.kind).toBe('process');
    expect(jailed.description.guarantees.map((g) => g.id)).toEqual(threads.description.guarantees.map((g) => g.id));
  });

  it('gives the same result as the worker backend for the same request', async () => {
    const requests = [
      m.request(m.HELLO),
      m.request(m.RANDOM_32, { seed: 99n }),
      m.request(m.EXIT_3),
      m.request(m.UNREACHABLE),
      m.request(m.memoryBomb('trap'), { limits: { memoryPages: 4 } }),
      m.request(m.INFINITE_LOOP, { limits: { fuel: 50_000 } }),
      m.request(m.ECHO_STDIN, { stdin: new TextEncoder().encode('through the jail') }),
      m.request(m.chatty(100), { limits: { outputBytes: 64 } }),
      // A table above the cap: refused before the engine allocates it, as memory_limit on both.
      m.request(m.wat('(module (table 100000 funcref) (func (export "_start")))'), { limits: { tableElements: 1000 } }),
      m.request(ADD, { entry: 'add', invoke: { args: [{ type: 'i64', value: (1n << 62n) }, { type: 'f64', value: 1.25 }], results: ['i64', 'f64'] } }),
    ];
    for (const req of requests) {
      const [a, b] = await Promise.all([must(jailed, req), must(threads, req)]);
      expect(comparable(a)).toEqual(comparable(b));
    }
    expect((await must(jailed, requests.at(-2)!)).outcome).toEqual({ kind: 'memory_limit' });
    const call = await must(jailed, requests.at(-1)!);
    expect(comparable(call).returnValues).toEqual([`i64:${(1n << 62n) + 1n}`, 'f64:1.75']);
  });

  it('overflows the stack like the worker backend, at the same depth (the same thread stack and entry)', async () => {
    const req = m.request(m.DEEP_RECURSION);
    const [a, b] = await Promise.all([must(jailed, req), must(threads, req)]);
    expect(a.outcome).toEqual({ kind: 'trap', trap: 'stack_overflow' });
    expect(b.outcome).toEqual(a.outcome);
    expect(a.fuelUsed).toBe(b.fuelUsed);
  });

  it('times out a busy loop by killing the process and serves the next run from a fresh one', async () => {
    const r = await must(jailed, m.request(m.INFINITE_LOOP, { limits: { fuel: 1e15, wallMs: 300 } }));
    expect(r.outcome).toEqual({ kind: 'timeout' });
    expect(r.wallMs).toBeGreaterThanOrEqual(290);
    expect(jailed.stats().timeouts).toBe(1);
    const next = await must(jailed, m.request(m.HELLO));
    expect(next.outcome).toEqual({ kind: 'ok', exitCode: 0 });
  });

  it('the kill switch ends a running jailed run', async () => {
    const pending = jailed.run(m.request(m.INFINITE_LOOP, { limits: { fuel: 1e15, wallMs: 60_000 } }));
    for (let i = 0; i < 500 && jailed.stats().running === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(jailed.killAll('drill')).toBe(1);
    const r = await pending;
    expect(r.ok && r.value.outcome).toEqual({ kind: 'denied', reason: 'kill switch: drill' });
  });
});

describe('the jail, probed from inside', () => {
  const tools = findJailTools({ node: process.execPath });
  if (!tools.ok) throw new Error(tools.message);
  // A probe script mounted with the sandbox code would need writing into it; use node -e instead.
  const argv = jailArgv({ tools: tools.value, sandboxDir, maxOpenFiles: 64, entry: '-e' });
  const runAs = process.getuid?.() === 0 ? JAIL_USER : {};
  const probe = (code: string) => {
    const r = spawnSync(tools.value.bwrap, [...argv, code], { ...runAs, env: {} as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
  };

  it('has no capabilities, no_new_privs, its own PID namespace and no network', () => {
    const r = probe(`
      const fs = require('node:fs');
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      const field = (k) => status.match(new RegExp('^' + k + ':\\\\s*(.*)$', 'm'))[1].trim();
      const os = require('node:os');
      console.log(JSON.stringify({
        capEff: field('CapEff'), noNewPrivs: field('NoNewPrivs'), pid: process.pid,
        ifaces: Object.keys(os.networkInterfaces()), hostname: os.hostname(), env: Object.entries(process.env).filter(([k]) => !k.startsWith('NODE_')),
      }));`);
    expect(r.status, r.err).toBe(0);
    const seen = JSON.parse(r.out);
    expect(seen.capEff).toBe('0000000000000000');
    expect(seen.noNewPrivs).toBe('1');
    expect(seen.pid).toBeLessThan(10); // bwrap's init is PID 1; node is its child
    expect(seen.ifaces.filter((i: string) => i !== 'lo')).toEqual([]); // only loopback, in an empty namespace
    expect(seen.hostname).toBe('nightcore-sandbox');
    expect(seen.env).toEqual([['PWD', '/tmp']]); // set by bwrap's --chdir; nothing of the host's environment
  });

  it('cannot see the console\'s data, write the sandbox code, write files, or open a socket', () => {
    const r = probe(`
      const fs = require('node:fs');
      const tryIt = (f) => { try { f(); return 'allowed'; } catch (e) { return e.code || e.message; } };
      const net = require('node:net');
      const s = net.connect({ host: '127.0.0.1', port: 1 });
      s.on('error', (e) => {
        console.log(JSON.stringify({
          home: tryIt(() => fs.readdirSync('/work')),
          etc: tryIt(() => fs.readFileSync('/etc/passwd')),
          code: tryIt(() => fs.writeFileSync('${JAIL_SANDBOX_DIR}/evil.mjs', 'x')),
          tmp: tryIt(() => fs.writeFileSync('/tmp/x', 'x'.repeat(10))),
          socket: e.code,
        }));
      });`);
    expect(r.status, r.err).toBe(0);
    const seen = JSON.parse(r.out);
    expect(seen.home).toBe('ENOENT');
    expect(seen.etc).toBe('ENOENT');
    expect(seen.code).toBe('EROFS');
    expect(seen.tmp).toBe('EFBIG'); // RLIMIT_FSIZE 0: even the private tmpfs takes no bytes
    expect(['ENETUNREACH', 'ECONNREFUSED', 'EADDRNOTAVAIL']).toContain(seen.socket);
  });

  it('builds the same virtual filesystem from preopens and returns the same final state as the worker backend', async () => {
    const preopens = [{ guestPath: '/', entries: [{ path: 'in.txt', kind: 'file' as const, data: new TextEncoder().encode('input') }] }];
    const req = m.request(m.WRITES_FILE, { capabilities: ['fs.write'], preopens });
    const [a, b] = [await must(jailed, req), await must(threads, req)];
    expect(a.outcome).toEqual({ kind: 'ok', exitCode: 0 });
    expect(comparable(a)).toEqual(comparable(b));
    expect(a.filesystem).toEqual(b.filesystem);
    expect(a.filesystem?.[0]?.entries.map((e) => e.path)).toEqual(['in.txt', 'out.txt']);
  });

  it('runs as an unprivileged host user when the console is root, cannot signal the console, and a fork bomb stops at the task limit', async () => {
    const child = spawn(tools.value.bwrap, [...argv, `
      const { spawn } = require('node:child_process');
      let signal = 'allowed';
      try { process.kill(${process.pid}, 0); } catch (e) { signal = e.code; }
      const kids = []; let refused = null;
      for (let i = 0; i < ${JAIL_MAX_TASKS + 50} && refused === null; i++) {
        try {
          const c = spawn('/bin/sleep', ['3'], { stdio: 'ignore' });
          c.on('error', (e) => { refused = refused ?? e.code; });
          kids.push(c);
        } catch (e) { refused = e.code; }
      }
      setTimeout(() => {
        for (const c of kids) try { c.kill('SIGKILL'); } catch {}
        console.log(JSON.stringify({ signal, refused, started: kids.filter((c) => c.pid).length }));
      }, 1000);`], { ...runAs, env: {} as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    // From outside: the jail's root process belongs to the unprivileged user, not to root.
    await new Promise((r) => setTimeout(r, 200));
    const hostUid = readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1];
    if (process.getuid?.() === 0) expect(hostUid).toBe(String(JAIL_USER.uid));
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(status).toBe(0);
    const seen = JSON.parse(out);
    expect(seen.signal).toBe('ESRCH'); // the console's PID does not exist in the jail's PID namespace
    expect(seen.refused).toBe('EAGAIN');
    expect(seen.started).toBeLessThan(JAIL_MAX_TASKS);
  });
});
