/**
 * A small memo for pure parse steps (JSON + zod + JCS + base64). Every run re-verifies its
 * module, and parsing cost a third of a verification; the signature itself is still checked
 * every time against the trust store's current key (nothing security-relevant is cached).
 * Bounded in entries and in key size, so hostile inputs cannot grow it without limit.
 * Cached values are deep-frozen: callers share them.
 */
export class ParseCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly maxEntries = 256,
    private readonly maxKeyLength = 64 * 1024,
  ) {}

  get(text: string, compute: (text: string) => V | undefined): V | undefined {
    const hit = this.entries.get(text);
    if (hit !== undefined) return hit;
    const value = compute(text);
    if (value === undefined || text.length > this.maxKeyLength) return value;
    // When full, start over rather than track recency: the working set is a few modules.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(text, deepFreeze(value));
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    // Typed arrays with elements cannot be frozen; they are never handed out for mutation here.
    if (ArrayBuffer.isView(value)) return value;
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
