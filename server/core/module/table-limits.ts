/**
 * The table caps, apart from the manifest schema: the instrumenter clamps tables with them on the
 * preparation thread, which should not load zod and semver just for two numbers (every module it
 * imports is start-up time of that thread).
 */

/**
 * Most table elements a policy or manifest may allow, over all of a module's tables. Far below the
 * engine's own 10 million: the cap must never be a size that can exhaust a worker's heap by itself.
 */
export const MAX_TABLE_ELEMENTS = 1_000_000;
/** Table cap when a manifest or policy names none (manifests signed before the limit existed). */
export const DEFAULT_TABLE_ELEMENTS = 65_536;
