// A LAMMPS data file (read_data format) as a topology: per atom its type, charge, molecule ID and
// mass, plus the bonds. Read: the header counts ("N atoms", "N bonds", "N atom types"), the
// "Atoms" section in styles full, charge, molecular and atomic (from its "# style" comment, or
// from the column count where that is unambiguous), "Masses", "Bonds" and "Atom Type Labels".
// Everything else (Velocities, Angles, Dihedrals, coefficients, the cell) is skipped: the
// trajectory gives the cell and coordinates. Errors name the file and line and what was expected.
import * as fs from 'node:fs';
import { moleculeIndices } from './molecules';

export type AtomStyle = 'full' | 'charge' | 'molecular' | 'atomic';

export interface LammpsData {
  file: string;
  style: AtomStyle;
  /** Per atom, in ascending atom-ID order (the order of a LAMMPS dump as ionfield reads it). */
  ids: number[];
  types: string[];
  charges: Float64Array | null;
  molecules: Int32Array | null;
  masses: Float64Array | null;
  /** Atom index pairs (0-based, in the ID order above). */
  bonds: Int32Array;
  /** A label per numeric atom type: "Atom Type Labels", else a one-word comment in "Masses". */
  typeLabels: Record<string, string>;
}

const badInput = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });

// Sections whose lines we skip, with the header count that sizes them (null: one line per type or
// an unknown count: skipped until the next section keyword).
const SECTIONS = new Set([
  'Atoms', 'Velocities', 'Masses', 'Ellipsoids', 'Lines', 'Triangles', 'Bodies', 'Bonds', 'Angles', 'Dihedrals',
  'Impropers', 'Pair Coeffs', 'PairIJ Coeffs', 'Bond Coeffs', 'Angle Coeffs', 'Dihedral Coeffs', 'Improper Coeffs',
  'BondBond Coeffs', 'BondAngle Coeffs', 'MiddleBondTorsion Coeffs', 'EndBondTorsion Coeffs', 'AngleTorsion Coeffs',
  'AngleAngleTorsion Coeffs', 'BondBond13 Coeffs', 'AngleAngle Coeffs', 'Atom Type Labels', 'Bond Type Labels',
  'Angle Type Labels', 'Dihedral Type Labels', 'Improper Type Labels', 'CMAP',
]);

// Columns of each style before the coordinates: [id, mol, type, q] positions (-1: absent).
const STYLE_COLUMNS: Record<AtomStyle, { mol: number; type: number; q: number; n: number }> = {
  full: { mol: 1, type: 2, q: 3, n: 7 },
  charge: { mol: -1, type: 1, q: 2, n: 6 },
  molecular: { mol: 1, type: 2, q: -1, n: 6 },
  atomic: { mol: -1, type: 1, q: -1, n: 5 },
};

/** True when the text looks like a LAMMPS data file (a header line "N atoms" before any section). */
export function looksLikeLammpsData(file: string): boolean {
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    fs.closeSync(fd);
    text = buf.subarray(0, n).toString('utf8');
  } catch {
    return false;
  }
  const lines = text.split('\n').slice(1);  // line 1 is the title
  for (const raw of lines) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    if (/^\d+\s+atoms$/.test(line)) return true;
    if (SECTIONS.has(line)) return false;
  }
  return false;
}

export function readLammpsData(file: string): LammpsData {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw badInput(`${file}: cannot read the LAMMPS data file (${(err as Error).message})`);
  }
  const lines = text.split(/\r?\n/);
  const fail = (i: number, what: string): never => {
    throw badInput(`${file}:${i + 1}: ${what}`);
  };
  const header: Record<string, number> = {};
  let i = 1;  // line 0 is the title
  // Header: "N keyword" lines until the first section keyword.
  for (; i < lines.length; i++) {
    const line = lines[i].replace(/#.*/, '').trim().replace(/\s+/g, ' ');
    if (!line) continue;
    if (SECTIONS.has(line)) break;
    const m = /^([+-]?\d+)\s+(atoms|bonds|angles|dihedrals|impropers|atom types|bond types|angle types|dihedral types|improper types|extra bond per atom|extra angle per atom|extra dihedral per atom|extra improper per atom|extra special per atom|ellipsoids|lines|triangles|bodies|crossterms)$/.exec(line);
    if (m) {
      header[m[2]] = Number(m[1]);
      continue;
    }
    if (/\b(xlo xhi|ylo yhi|zlo zhi|xy xz yz)$/.test(line)) continue;
    fail(i, `expected a header line ("N atoms", "N atom types", "xlo xhi", ...) or a section keyword, got '${lines[i].trim()}'`);
  }
  const natoms = header.atoms;
  if (natoms === undefined) fail(Math.min(i, lines.length - 1), 'expected "N atoms" in the header before the first section');
  const nbonds = header.bonds ?? 0;
  const ntypes = header['atom types'];
  let style: AtomStyle | null = null;
  const byId = new Map<number, { type: string; mol: number; q: number; line: number }>();
  const masses = new Map<string, number>();
  const labels: Record<string, string> = {};
  const bondPairs: [number, number, number][] = [];  // id1, id2, line
  let sawAtoms = false;
  const rowsOf = (start: number, count: number, what: string, each: (fields: string[], line: number, comment: string) => void): number => {
    // After the keyword: one blank line, then count data lines (blank and comment lines skipped).
    let k = start + 1, got = 0;
    while (got < count) {
      if (k >= lines.length) fail(lines.length - 1, `file ends inside the ${what} section: expected ${count} lines, found ${got}`);
      const hash = lines[k].indexOf('#');
      const body = (hash >= 0 ? lines[k].slice(0, hash) : lines[k]).trim();
      if (body) {
        if (SECTIONS.has(body)) fail(k, `the ${what} section ends after ${got} lines; the header promises ${count}`);
        each(body.split(/\s+/), k, hash >= 0 ? lines[k].slice(hash + 1).trim() : '');
        got++;
      }
      k++;
    }
    return k;
  };
  while (i < lines.length) {
    const hash = lines[i].indexOf('#');
    const keyword = (hash >= 0 ? lines[i].slice(0, hash) : lines[i]).trim();
    const comment = hash >= 0 ? lines[i].slice(hash + 1).trim() : '';
    if (!keyword) {
      i++;
      continue;
    }
    if (!SECTIONS.has(keyword)) fail(i, `expected a section keyword (Atoms, Masses, Bonds, ...), got '${lines[i].trim()}'`);
    if (keyword === 'Atoms') {
      sawAtoms = true;
      const declared = comment.split(/\s+/)[0];
      if (declared && !(declared in STYLE_COLUMNS)) fail(i, `atom style '${declared}' is not read (expected # full, # charge, # molecular or # atomic)`);
      style = (declared as AtomStyle) || null;
      i = rowsOf(i, natoms, 'Atoms', (f, k) => {
        if (!style) {
          // No style comment: infer from the column count (with or without three image flags).
          const n = f.length;
          if (n === 7 || n === 10) style = 'full';
          else if (n === 5 || n === 8) style = 'atomic';
          else fail(k, `the Atoms section has no style comment and ${n} columns: write 'Atoms # full' (or # charge, # molecular, # atomic)`);
        }
        const c = STYLE_COLUMNS[style!];
        if (f.length !== c.n && f.length !== c.n + 3) fail(k, `expected ${c.n} columns (or ${c.n + 3} with image flags) for atom style ${style}, got ${f.length}`);
        const id = Number(f[0]);
        if (!Number.isInteger(id) || id <= 0) fail(k, `expected a positive integer atom ID, got '${f[0]}'`);
        if (byId.has(id)) fail(k, `atom ID ${id} appears twice (first at line ${byId.get(id)!.line + 1})`);
        const mol = c.mol >= 0 ? Number(f[c.mol]) : -1;
        if (c.mol >= 0 && (!Number.isInteger(mol) || mol < 0)) fail(k, `expected a non-negative integer molecule ID, got '${f[c.mol]}'`);
        const q = c.q >= 0 ? Number(f[c.q]) : 0;
        if (!Number.isFinite(q)) fail(k, `expected a charge (a number), got '${f[c.q]}'`);
        const type = f[c.type];
        if (ntypes !== undefined && /^\d+$/.test(type) && (Number(type) < 1 || Number(type) > ntypes))
          fail(k, `atom type ${type} is outside 1..${ntypes} (the header's "atom types")`);
        for (const x of f.slice(c.n - 3, c.n)) if (!Number.isFinite(Number(x))) fail(k, `expected coordinates, got '${x}'`);
        byId.set(id, { type, mol, q, line: k });
      });
    } else if (keyword === 'Masses') {
      if (ntypes === undefined) fail(i, 'a Masses section needs "N atom types" in the header');
      i = rowsOf(i, ntypes, 'Masses', (f, k, note) => {
        const m = Number(f[1]);
        if (f.length !== 2 || !(m > 0)) fail(k, `expected 'type mass' with a positive mass, got '${f.join(' ')}'`);
        masses.set(f[0], m);
        if (/^[A-Za-z][A-Za-z0-9_]*$/.test(note)) labels[f[0]] ??= note;
      });
    } else if (keyword === 'Atom Type Labels') {
      if (ntypes === undefined) fail(i, 'an Atom Type Labels section needs "N atom types" in the header');
      i = rowsOf(i, ntypes, 'Atom Type Labels', (f, k) => {
        if (f.length !== 2) fail(k, `expected 'type label', got '${f.join(' ')}'`);
        labels[f[0]] = f[1];
      });
    } else if (keyword === 'Bonds') {
      i = rowsOf(i, nbonds, 'Bonds', (f, k) => {
        if (f.length !== 4) fail(k, `expected 'id type atom1 atom2', got '${f.join(' ')}'`);
        const a = Number(f[2]), b = Number(f[3]);
        if (!Number.isInteger(a) || !Number.isInteger(b)) fail(k, `expected two atom IDs, got '${f[2]} ${f[3]}'`);
        bondPairs.push([a, b, k]);
      });
    } else {
      // A section we do not read: skip to the next keyword.
      i++;
      while (i < lines.length && !SECTIONS.has(lines[i].replace(/#.*/, '').trim())) i++;
    }
  }
  if (!sawAtoms) throw badInput(`${file}: no Atoms section (expected 'Atoms # full' or another style, with ${natoms} lines)`);
  const ids = [...byId.keys()].sort((a, b) => a - b);
  const index = new Map(ids.map((id, k) => [id, k]));
  const rows = ids.map((id) => byId.get(id)!);
  const c = STYLE_COLUMNS[style!];
  // LAMMPS molecule ID 0 means "in no molecule": each such atom is a molecule of its own.
  const molecules = c.mol >= 0 ? moleculeIndices(rows.map((r) => r.mol), 0) : null;
  const numberOf = new Map(Object.entries(labels).map(([n, l]) => [l, n]));
  let atomMasses: Float64Array | null = null;
  if (masses.size) {
    atomMasses = new Float64Array(rows.length);
    rows.forEach((r, k) => {
      // Atoms and Masses may name a type by number or by its label (LAMMPS type labels).
      const m = masses.get(r.type) ?? masses.get(labels[r.type] ?? '') ?? masses.get(numberOf.get(r.type) ?? '');
      if (m === undefined) fail(r.line, `atom type ${r.type} has no mass in the Masses section`);
      atomMasses![k] = m!;
    });
  }
  const bonds = new Int32Array(2 * bondPairs.length);
  bondPairs.forEach(([a, b, line], k) => {
    const ia = index.get(a), ib = index.get(b);
    if (ia === undefined || ib === undefined) fail(line, `bond names atom ID ${ia === undefined ? a : b}, which is not in the Atoms section`);
    if (molecules && molecules[ia!] !== molecules[ib!]) fail(line, `bond joins atoms ${a} and ${b} of different molecules (IDs ${rows[ia!].mol} and ${rows[ib!].mol})`);
    bonds[2 * k] = ia!;
    bonds[2 * k + 1] = ib!;
  });
  return {
    file,
    style: style!,
    ids,
    types: rows.map((r) => r.type),
    charges: c.q >= 0 ? Float64Array.from(rows, (r) => r.q) : null,
    molecules,
    masses: atomMasses,
    bonds,
    typeLabels: labels,
  };
}
