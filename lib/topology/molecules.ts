// Molecular species from a topology: every molecule gets a species named by its molecule type —
// the user's name where a rule matches (--molecule-names, or "names" in a JSON topology), else its
// atom-type composition ("PF6", "C3H4O3" from type labels; "mol_1_2x6" from bare numeric types).
// Each molecule's net charge is the sum of its atoms' partial charges; molecules of one species
// must agree on it, and a net charge that is not close to an integer is reported as a warning
// (scaled-charge force fields, e.g. ±0.8 e, are legitimate), never silently rounded.

/** What a topology file says about every atom (in trajectory order). */
export interface AtomTopology {
  file: string;
  /** Species label of each atom (numeric LAMMPS type, or its label where types have unique labels). */
  types: string[];
  /** Label of each atom's type for composition names (element-like, may repeat across types). */
  formulaLabels?: string[];
  /** The file's own (numeric) type of each atom, where labels replaced it in types: name rules may use either. */
  typeIds?: string[];
  charges: Float64Array | null;
  masses: Float64Array | null;
  /** Molecule index of each atom, 0..nmol-1; null: the file has no molecules. */
  molecules: Int32Array | null;
  /** Atom index pairs (0-based). */
  bonds: Int32Array;
  /** Name rules from the file itself (JSON "names"), applied after the user's. */
  names?: NameRule[];
  /** The file's own name of each molecule's type (GROMACS molecule types): the default species name. */
  moleculeNames?: string[];
  /** Atom IDs (LAMMPS data files), matched against a dump's IDs; absent: 1..N in file order. */
  ids?: number[];
}

export interface NameRule {
  /** Atom types a molecule may contain (all of its atoms' types must be in the set), or null. */
  types: Set<string> | null;
  /** Or the composition name the rule renames. */
  composition: string | null;
  name: string;
  source: string;
}

export interface MoleculeSpecies {
  name: string;
  composition: string;
  count: number;
  atomsPerMolecule: number;
  netCharge: number;
  mass: number;
  integerCharge: boolean;
  /** What stands for each molecule: 'centre of mass', or 'atom <label>' (--centre-atoms). */
  centre: string;
}

export interface MolecularSystem {
  file: string;
  molecule: Int32Array;
  bonds: Int32Array;
  masses: Float64Array;
  charges: Float64Array;
  /** Species name of each molecule. */
  speciesOf: string[];
  /** Per molecule: the atom whose position stands for it (--centre-atoms), -1: its centre of mass; absent: all centres of mass. */
  centreAtoms?: Int32Array;
  species: MoleculeSpecies[];
  warnings: string[];
}

const usage = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_USAGE' });
const badInput = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });

/**
 * Molecule indices 0..nmol-1, in order of first appearance, from molecule IDs per atom. Atoms whose
 * ID equals `alone` (LAMMPS: 0, "in no molecule") are each a molecule of their own.
 */
export function moleculeIndices(ids: ArrayLike<number>, alone?: number): Int32Array {
  const index = new Map<string, number>();
  return Int32Array.from({ length: ids.length }, (_, i) => {
    const key = ids[i] === alone ? `atom ${i}` : `mol ${ids[i]}`;
    if (!index.has(key)) index.set(key, index.size);
    return index.get(key)!;
  });
}

/** Net charges further than this from an integer are reported (e). */
export const INTEGER_CHARGE_TOLERANCE = 1e-3;

/**
 * Parses name rules: "types 1-7=PF6,8=Li" (a molecule whose atom types all lie in 1..7 is PF6),
 * "1 2=EC", "P F=PF6" (labels), or "mol_1_2x6=PF6" (a composition name as printed).
 */
export function parseMoleculeNames(text: string, what = '--molecule-names'): NameRule[] {
  const rules: NameRule[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.lastIndexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw usage(`${what}: expected SPEC=NAME items separated by commas (e.g. 'types 1-7=PF6,8=Li'), got '${item}'`);
    const spec = item.slice(0, eq).trim().replace(/^types?\s+/, '');
    const name = item.slice(eq + 1).trim();
    if (/[\s,:=|]/.test(name)) throw usage(`${what}: species name '${name}' may not contain spaces, ',', ':', '=' or '|'`);
    if (/^mol_/.test(spec)) {
      rules.push({ types: null, composition: spec, name, source: what });
      continue;
    }
    const types = new Set<string>();
    for (const token of spec.split(/[\s+]+/).filter(Boolean)) {
      const range = /^(\d+)-(\d+)$/.exec(token);
      if (range) {
        const [lo, hi] = [Number(range[1]), Number(range[2])];
        if (lo > hi) throw usage(`${what}: empty type range '${token}'`);
        for (let t = lo; t <= hi; t++) types.add(String(t));
      } else types.add(token);
    }
    if (!types.size) throw usage(`${what}: no atom types before '=' in '${item}'`);
    rules.push({ types, composition: null, name, source: what });
  }
  return rules;
}

/** The default species name of a composition: a formula from type labels, else mol_<type>x<count>_... */
function compositionName(parts: [string, number][], labelled: boolean): string {
  if (labelled) return parts.map(([l, n]) => (n > 1 ? `${l}${n}` : l)).join('');
  return 'mol_' + parts.map(([t, n]) => (n > 1 ? `${t}x${n}` : t)).join('_');
}

/** Parses --centre-atoms 'PF6=P,EC=C1': per molecular species, the atom label standing for the molecule. */
export function parseCentreAtoms(text: string, what = '--centre-atoms'): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw usage(`${what}: expected SPECIES=ATOM items separated by commas (e.g. 'PF6=P,EC=C1'), got '${item}'`);
    out.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Molecular species of every molecule, with net charges checked. Needs molecules and masses.
 * centreAtoms: per species name, the atom label (type label, atom name or type number) whose
 * position stands for each molecule of it instead of the centre of mass (its first such atom).
 */
export function molecularSystem(topo: AtomTopology, rules: NameRule[] = [], centreAtoms?: Map<string, string>): MolecularSystem {
  const { molecules, masses } = topo;
  if (!molecules) throw usage(`${topo.file}: the topology has no molecules`);
  if (!masses) throw badInput(`${topo.file}: centres of mass need atom masses (a Masses section, or "masses" in a JSON topology)`);
  const charges = topo.charges ?? new Float64Array(topo.types.length);
  const nmol = molecules.reduce((m, x) => Math.max(m, x + 1), 0);
  const members: number[][] = Array.from({ length: nmol }, () => []);
  molecules.forEach((m, i) => members[m].push(i));
  const labels = topo.formulaLabels ?? topo.types;
  const labelled = labels.every((l) => /^[A-Za-z]/.test(l));
  // A molecule type is its multiset of atom types (sorted by type, so atom order does not matter).
  const keyOf = (atoms: number[]) => {
    const counts = new Map<string, number>();
    for (const a of atoms) counts.set(topo.types[a], (counts.get(topo.types[a]) ?? 0) + 1);
    return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  };
  const allRules = [...rules, ...(topo.names ?? [])];
  const kinds = new Map<string, { parts: [string, number][]; name: string; composition: string; molecules: number[] }>();
  const speciesOf: string[] = new Array(nmol);
  members.forEach((atoms, m) => {
    const parts = keyOf(atoms);
    const own = topo.moleculeNames?.[m];
    // Molecules of one named type are one species; otherwise one composition is one species.
    const key = own !== undefined ? `type ${own}` : JSON.stringify(parts);
    let kind = kinds.get(key);
    if (!kind) {
      // Composition from labels, summed over types that share a label, in first-appearance order.
      const byLabel = new Map<string, number>();
      for (const a of atoms) byLabel.set(labels[a], (byLabel.get(labels[a]) ?? 0) + 1);
      const composition = compositionName([...byLabel.entries()], labelled);
      // A rule's type set may list the file's type numbers or the labels.
      const inSet = (r: NameRule) => (own !== undefined && r.types!.has(own)) || atoms.every((a) => r.types!.has(topo.types[a]) || (topo.typeIds !== undefined && r.types!.has(topo.typeIds[a])));
      const rule = allRules.find((r) => (r.composition !== null ? r.composition === composition : inSet(r)));
      kind = { parts, name: rule ? rule.name : own ?? composition, composition, molecules: [] };
      kinds.set(key, kind);
    }
    kind.molecules.push(m);
  });
  // Two molecule types that end up with one name (same formula from different types): the user
  // named them alike on purpose only if a rule did; composition names get the type key appended.
  const byName = new Map<string, typeof kinds extends Map<string, infer V> ? V[] : never>();
  for (const k of kinds.values()) byName.set(k.name, [...(byName.get(k.name) ?? []), k]);
  for (const [name, list] of byName)
    if (list.length > 1)
      for (const k of list)
        if (k.name === k.composition) k.name = `${name}_${k.parts.map(([t, n]) => `${t}x${n}`).join('_')}`;
  const species: MoleculeSpecies[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, MoleculeSpecies>();
  for (const k of kinds.values()) {
    const q = (m: number) => members[m].reduce((s, a) => s + charges[a], 0);
    const first = q(k.molecules[0]);
    for (const m of k.molecules) {
      speciesOf[m] = k.name;
      if (Math.abs(q(m) - first) > 1e-4)
        throw badInput(`${topo.file}: molecules of species ${k.name} differ in net charge (${first} and ${q(m)}, molecule ${m + 1} of the file's order); a species needs one net charge`);
    }
    // Summed partial charges carry round-off: keep 1e-6 e, which is far below any physical charge.
    const net = Math.round(first * 1e6) / 1e6;
    const integer = Math.abs(net - Math.round(net)) <= INTEGER_CHARGE_TOLERANCE;
    if (!integer) warnings.push(`molecular species ${k.name} has a net charge of ${net} e, not an integer (a scaled-charge model, or charges missing from the topology?): used as it is`);
    const mass = members[k.molecules[0]].reduce((s, a) => s + masses[a], 0);
    const existing = seen.get(k.name);
    if (existing) {
      // Several compositions named alike by the user (e.g. 'types 1-9=solvent'): one species if they agree on charge.
      if (Math.abs(existing.netCharge - net) > 1e-6) throw usage(`molecule names: '${k.name}' names molecules of different net charge (${existing.netCharge} and ${net})`);
      existing.count += k.molecules.length;
      existing.composition += `|${k.composition}`;
      continue;
    }
    const label = centreAtoms?.get(k.name);
    const s: MoleculeSpecies = { name: k.name, composition: k.composition, count: k.molecules.length, atomsPerMolecule: members[k.molecules[0]].length, netCharge: net, mass, integerCharge: integer, centre: label === undefined ? 'centre of mass' : `atom ${label}` };
    seen.set(k.name, s);
    species.push(s);
  }
  let centres: Int32Array | undefined;
  if (centreAtoms?.size) {
    const names = new Set(species.map((s) => s.name));
    for (const name of centreAtoms.keys()) if (!names.has(name)) throw usage(`--centre-atoms: no molecular species '${name}' (there are ${[...names].join(', ')})`);
    centres = Int32Array.from(members, (atoms, m) => {
      const label = centreAtoms.get(speciesOf[m]);
      if (label === undefined) return -1;
      const a = atoms.find((i) => labels[i] === label || topo.types[i] === label || topo.typeIds?.[i] === label);
      if (a === undefined) throw usage(`--centre-atoms: molecule ${m + 1} of species ${speciesOf[m]} has no atom '${label}'`);
      return a;
    });
  }
  return { file: topo.file, molecule: molecules, bonds: topo.bonds, masses, charges, speciesOf, species, warnings, ...(centres ? { centreAtoms: centres } : {}) };
}
