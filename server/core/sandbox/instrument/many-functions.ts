/**
 * Test and bench support: a valid module of `count` empty functions exporting the first as
 * `_start` (~4 bytes per function), built straight into one buffer so that building a multi-MB
 * module costs the test almost nothing.
 */
const leb = (value: number): number[] => {
  const out: number[] = [];
  let n = value;
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};

function section(id: number, payload: Uint8Array): Uint8Array {
  const head = [id, ...leb(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

export function manyFunctions(count: number): Uint8Array {
  const n = leb(count);
  const functions = new Uint8Array(n.length + count); // every function has type 0
  functions.set(n);
  const code = new Uint8Array(n.length + 3 * count);
  code.set(n);
  for (let i = 0; i < count; i++) code.set([2, 0, 0x0b], n.length + 3 * i); // size 2: no locals, end
  const parts = [
    Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    section(1, Uint8Array.from([1, 0x60, 0, 0])),
    section(3, functions),
    section(7, Uint8Array.from([1, 6, ...new TextEncoder().encode('_start'), 0, 0])),
    section(10, code),
  ];
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
