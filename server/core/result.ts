/**
 * Expected failures are values, not exceptions (see ARCHITECTURE.md): every fallible core
 * function returns a Result whose error side carries a code from a closed union.
 */
export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<C extends string> = {
  readonly ok: false;
  readonly code: C;
  readonly message: string;
  /** Every problem found, for validations that collect instead of stopping at the first. */
  readonly issues?: readonly string[];
};
export type Result<T, C extends string> = Ok<T> | Err<C>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <C extends string>(code: C, message: string, issues?: readonly string[]): Err<C> =>
  issues === undefined ? { ok: false, code, message } : { ok: false, code, message, issues };
