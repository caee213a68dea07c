// Records keyed by labels from the user's files (species, types, system names) must not inherit
// from Object.prototype: a species named "__proto__" would be swallowed by the prototype setter
// and one named "constructor" would find a function before it is ever assigned.

/** An empty record with no prototype, for keys that come from input files. */
export function labelRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * The same entries in an ordinary object (what a caller compares with a literal): own properties
 * all, so '__proto__' stays a key (Object.fromEntries defines, it does not assign).
 */
export function plainRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record));
}
