/*
 * reactor: a library-style module (no main). The toolchain adds `_initialize`, which runs the
 * constructors below; the host must call it once before any export.
 * Exports one function per value type so `nightcore call` can be tested with each of them.
 */
#include <stdint.h>

static int32_t initialized = 0;
static int64_t calls = 0;

__attribute__((constructor)) static void setup(void) { initialized = 42; }

/* Proves `_initialize` ran: returns 42 after it, 0 before. */
__attribute__((export_name("ready"))) int32_t ready(void) { return initialized; }

__attribute__((export_name("add_i32"))) int32_t add_i32(int32_t a, int32_t b) { calls++; return a + b; }

__attribute__((export_name("mul_i64"))) int64_t mul_i64(int64_t a, int64_t b) { calls++; return a * b; }

__attribute__((export_name("half_f32"))) float half_f32(float x) { calls++; return x / 2.0f; }

__attribute__((export_name("hypot_f64"))) double hypot_f64(double a, double b) {
  calls++;
  /* sqrt via Newton's method keeps the module free of libm imports. */
  double s = a * a + b * b, r = s > 1 ? s : 1;
  for (int i = 0; i < 64; i++) r = 0.5 * (r + s / r);
  return s == 0 ? 0 : r;
}

/* Mixed signature: i32, i64, f32, f64 in, f64 out. */
__attribute__((export_name("mix"))) double mix(int32_t a, int64_t b, float c, double d) {
  calls++;
  return (double)a + (double)b + (double)c + d;
}

__attribute__((export_name("calls"))) int64_t call_count(void) { return calls; }

/* Divides; dividing by zero traps in wasm (integer divide by zero). */
__attribute__((export_name("div_i32"))) int32_t div_i32(int32_t a, int32_t b) { return a / b; }
