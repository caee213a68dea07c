// Reading files written before ionfield's JSON keys became camelCase (issue 19). Results, partials,
// dataset manifests, descriptor sets, topologies and model metadata of schema ionfield.NAME/1 (the
// kinosons schemas excepted: they were camelCase already) are renamed key by key on reading, so a
// study's old outputs and a user's old input files keep working. Only the recorded keys are renamed
// (lib/legacy-keys.ts), never data such as species labels that happen to contain an underscore.
import { LEGACY_KEYS, LEGACY_SCHEMAS } from './legacy-keys';

/**
 * The document as its current schema describes it. A document whose `schema` is a version-1
 * schema gets its keys renamed and its schema replaced by the current one; `assumeLegacy` treats a
 * document without a `schema` field (descriptor sets, topologies may omit it) the same way, keeping
 * it without one. Anything else is returned as it is.
 */
export function upgradeLegacyDocument<T>(doc: T, assumeLegacy = false): T {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  const schema = (doc as { schema?: unknown }).schema;
  const legacy = typeof schema === 'string' ? Object.hasOwn(LEGACY_SCHEMAS, schema) : assumeLegacy && schema === undefined;
  if (!legacy) return doc;
  const upgraded = renameKeys(doc) as Record<string, unknown>;
  if (typeof schema === 'string') upgraded.schema = LEGACY_SCHEMAS[schema];
  return upgraded as T;
}

/** The current name of a key that may be a version-1 one. */
export function currentKey(key: string): string {
  return Object.hasOwn(LEGACY_KEYS, key) ? LEGACY_KEYS[key] : key;
}

function renameKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(renameKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // defineProperty, not assignment: a key '__proto__' (a species may be called that) stays data.
    Object.defineProperty(out, currentKey(key), { value: renameKeys(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
