// The keys each object of a kinoson configuration may hold. A misspelt key ("supercel",
// "temperatrues") would otherwise be ignored and the study would silently run with the default,
// so unknown keys are refused with the closest known one. Notes are allowed: "comment(s)",
// "description", "note(s)", "title", "author", any key starting with "_" or "$", and at the top
// level "name" (a name for the study).

export const configKeys = {
  top: ['name', 'schema', 'lattice', 'supercell', 'vacancies', 'species', 'pairs', 'temperatures', 'temperature', 'seed', 'threads', 'kmc', 'states', 'sampling', 'models', 'tail'],
  species: ['name', 'count', 'fraction', 'nu', 'e0'],
  pair: ['shell', 'a', 'b', 'J'],
  kmc: ['steps', 'trajectories', 'equilibrationSweeps', 'exponentialTimes', 'estimator', 'checkpoints', 'window', 'extend', 'maxExtension'],
  tail: ['rounds', 'minRounds', 'tolerance', 'firstJumps', 'targets'],
  states: ['training', 'validation', 'chains', 'equilibrationSweeps', 'decorrelationSweeps'],
  model: [
    'name',
    'vacancyShells',
    'speciesShells',
    'pairFirstShells',
    'pairSecondShells',
    'tripletFirstShells',
    'tripletSecondShells',
    'residualBias',
    'hidden',
    'featureShells',
    'networkHidden',
    'networkLayers',
    'networkShells',
    'corrector',
    'correctorShells',
    'epochs',
    'learningRate',
  ],
} as const;

const notes = new Set(['comment', 'comments', 'description', 'note', 'notes', 'title', 'author']);
const isNote = (key: string) => notes.has(key) || key.startsWith('_') || key.startsWith('$');

/** What to say after "unknown key 'k'" when no known key is close. */
export const notesHint = "notes go in 'comment', 'description' or keys starting with '_'";

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** The first key of `o` that is neither known nor a note, with the known key it most likely meant. */
export function unknownKey(o: Record<string, unknown>, known: readonly string[]): { key: string; suggestion: string | null } | null {
  for (const key of Object.keys(o)) {
    if (known.includes(key) || isNote(key)) continue;
    const scored = known.map((k) => ({ k, d: k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(k.toLowerCase(), key.toLowerCase()) }));
    const best = scored.sort((x, y) => x.d - y.d)[0];
    return { key, suggestion: best && best.d <= Math.max(1, Math.floor(key.length / 3)) ? best.k : null };
  }
  return null;
}
