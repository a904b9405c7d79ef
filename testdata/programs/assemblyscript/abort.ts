// abort: an AssemblyScript module built with the standard runtime, whose failed assertion calls the
// `env.abort(message, fileName, line, column)` import. Night Core turns that call into a trap and
// reports the decoded message.
// Exports: `check(n)` returns n * 2, or aborts with "n must be positive" when n <= 0;
// `fail()` always aborts with a message containing non-ASCII text.

export function check(n: i32): i32 {
  assert(n > 0, "n must be positive");
  return n * 2;
}

export function fail(): void {
  abort("déjà vu: ünïcödé ✓", "abort.ts", 14, 3);
}
