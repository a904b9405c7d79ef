import { describe, it, expect } from 'vitest';
import { createWasiHost, NS_PER_FUEL, ProcExit, VIRTUAL_EPOCH_NS, type HostOptions } from './wasi-host.mjs';

const ESUCCESS = 0;
const EBADF = 8;
const EFAULT = 21;
const EINVAL = 28;
const ESPIPE = 70;
const ENOTCAPABLE = 76;

type HostFn = (...args: (number | bigint)[]) => number;

function setup(over: Partial<HostOptions> = {}) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  let fuelUsed = 0n;
  const host = createWasiHost({
    capabilities: ['args', 'environ', 'stdin', 'stdout', 'stderr', 'clock', 'random', 'exit'],
    args: ['prog', 'héllo'],
    env: { B: '2', A: '1' },
    stdin: new TextEncoder().encode('input bytes'),
    seed: 42n,
    outputBytes: 10,
    getMemory: () => memory,
    getFuelUsed: () => fuelUsed,
    ...over,
  });
  const call = (name: string, ...args: (number | bigint)[]) => (host.imports[name] as unknown as HostFn)(...args);
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  const iovec = (at: number, ptr: number, len: number) => {
    view().setUint32(at, ptr, true);
    view().setUint32(at + 4, len, true);
  };
  return { host, call, view, bytes, iovec, memory, setFuel: (n: bigint) => (fuelUsed = n) };
}

describe('wasi host', () => {
  it('fd_write caps stdout+stderr together, reports full writes, and flags truncation', () => {
    const { host, call, bytes, iovec, view } = setup();
    bytes().set(new TextEncoder().encode('0123456789abcdef'), 100);
    iovec(0, 100, 6);
    expect(call('fd_write', 2, 0, 1, 8)).toBe(ESUCCESS);
    iovec(0, 100, 16);
    expect(call('fd_write', 1, 0, 1, 8)).toBe(ESUCCESS);
    // Told everything was written, so libc does not retry forever.
    expect(view().getUint32(8, true)).toBe(16);
    const out = host.output();
    expect(new TextDecoder().decode(out.stderr)).toBe('012345');
    expect(new TextDecoder().decode(out.stdout)).toBe('0123');
    expect(out.truncated).toBe(true);
  });

  it('rejects iovecs outside memory with EFAULT instead of throwing', () => {
    const { call, iovec } = setup();
    iovec(0, 65530, 100);
    expect(call('fd_write', 1, 0, 1, 8)).toBe(EFAULT);
    expect(call('fd_write', 1, 65532, 2, 8)).toBe(EFAULT);
    expect(call('random_get', 65530, 100)).toBe(EFAULT);
    expect(call('args_sizes_get', -1, 0)).toBe(EFAULT);
  });

  it('refuses stdio whose capability is not granted with NOTCAPABLE and records each refusal', () => {
    const { host, call, iovec } = setup({ capabilities: ['stdout'] });
    iovec(0, 100, 1);
    expect(call('fd_write', 2, 0, 1, 8)).toBe(ENOTCAPABLE);
    expect(call('fd_write', 2, 0, 1, 8)).toBe(ENOTCAPABLE);
    expect(call('fd_read', 0, 0, 1, 8)).toBe(ENOTCAPABLE);
    // A descriptor that was never opened is not a capability question.
    expect(call('fd_write', 3, 0, 1, 8)).toBe(EBADF);
    // fdstat reveals nothing, so it answers for every stdio descriptor.
    expect(call('fd_fdstat_get', 0, 200)).toBe(ESUCCESS);
    expect(call('fd_fdstat_get', 1, 200)).toBe(ESUCCESS);
    expect(host.capabilityDenials()).toEqual([
      { fn: 'fd_write', capability: 'stderr', errno: 'NOTCAPABLE', count: 2, samples: ['2', '2'] },
      { fn: 'fd_read', capability: 'stdin', errno: 'NOTCAPABLE', count: 1, samples: ['0'] },
    ]);
  });

  it('reads stdin in order across calls and reports 0 at the end', () => {
    const { call, iovec, view, bytes } = setup();
    iovec(0, 100, 6);
    expect(call('fd_read', 0, 0, 1, 8)).toBe(ESUCCESS);
    expect(view().getUint32(8, true)).toBe(6);
    expect(call('fd_read', 0, 0, 1, 8)).toBe(ESUCCESS);
    expect(new TextDecoder().decode(bytes().subarray(100, 105))).toBe('bytes');
    expect(view().getUint32(8, true)).toBe(5);
    expect(call('fd_read', 0, 0, 1, 8)).toBe(ESUCCESS);
    expect(view().getUint32(8, true)).toBe(0);
    expect(call('fd_read', 1, 0, 1, 8)).toBe(EBADF);
  });

  it('lays out argv and a sorted environment as NUL-terminated UTF-8', () => {
    const { call, view, bytes } = setup();
    expect(call('args_sizes_get', 0, 4)).toBe(ESUCCESS);
    expect([view().getUint32(0, true), view().getUint32(4, true)]).toEqual([2, 5 + 7]);
    expect(call('args_get', 16, 64)).toBe(ESUCCESS);
    expect(view().getUint32(20, true)).toBe(69);
    expect(new TextDecoder().decode(bytes().subarray(64, 76))).toBe('prog\0héllo\0');
    expect(call('environ_get', 16, 128)).toBe(ESUCCESS);
    expect(new TextDecoder().decode(bytes().subarray(128, 136))).toBe('A=1\0B=2\0');
  });

  it('runs a virtual clock from the fixed epoch, advanced only by fuel', () => {
    const { call, view, setFuel } = setup();
    expect(call('clock_time_get', 0, 0n, 0)).toBe(ESUCCESS);
    expect(view().getBigUint64(0, true)).toBe(VIRTUAL_EPOCH_NS);
    setFuel(1234n);
    expect(call('clock_time_get', 0, 0n, 0)).toBe(ESUCCESS);
    expect(view().getBigUint64(0, true)).toBe(VIRTUAL_EPOCH_NS + 1234n * NS_PER_FUEL);
    expect(call('clock_time_get', 1, 0n, 0)).toBe(ESUCCESS);
    expect(view().getBigUint64(0, true)).toBe(1234n * NS_PER_FUEL);
    expect(new Date(Number(VIRTUAL_EPOCH_NS / 1_000_000n)).toISOString()).toBe('2000-01-01T00:00:00.000Z');
    expect(call('clock_time_get', 9, 0n, 0)).toBe(EINVAL);
    expect(call('clock_res_get', 0, 8)).toBe(ESUCCESS);
  });

  it('exposes no preopens and no seekable descriptors', () => {
    const { call } = setup();
    expect(call('fd_prestat_get', 3, 0)).toBe(EBADF);
    expect(call('fd_seek', 1, 0n, 0, 0)).toBe(ESPIPE);
    expect(call('fd_seek', 5, 0n, 0, 0)).toBe(EBADF);
    expect(call('fd_close', 7)).toBe(EBADF);
  });

  it('proc_exit unwinds with the exit code', () => {
    const { call } = setup();
    expect(() => call('proc_exit', 3)).toThrow(ProcExit);
    try {
      call('proc_exit', 3);
    } catch (e) {
      expect((e as ProcExit).code).toBe(3);
    }
  });

  it('returns EFAULT for memory-using calls when the module has no memory', () => {
    const { call } = setup({ getMemory: () => null });
    expect(call('random_get', 0, 4)).toBe(EFAULT);
    expect(call('fd_write', 1, 0, 0, 0)).toBe(EFAULT);
  });
});
