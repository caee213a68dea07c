// A GROMACS topology (.top, with the .itp files it includes) as a topology: the molecules listed in
// [ molecules ], in order, each an instance of its [ moleculetype ] — atom names, charges and masses
// from [ atoms ] (charge or mass left out: from [ atomtypes ]), bonds from [ bonds ] (and
// [ settles ], O–H of a rigid water) — so atom i is atom i of the matching .gro/.xtc. Molecular
// species are named by molecule type ("SOL", "NA", "PF6"). The preprocessor is followed as far as
// topologies need it: #include (relative to the including file, then $GMXLIB and
// /usr/share/gromacs/top), #define, #ifdef/#ifndef/#else/#endif; #include files that are not found
// inside a branch not taken are never opened. Read: the sections named above; ignored: parameters
// of interactions, [ pairs ], [ angles ], [ dihedrals ], [ exclusions ], position restraints.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AtomTopology } from './molecules';

const badInput = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });

interface Line { text: string; file: string; line: number }
interface MoleculeType { name: string; names: string[]; charges: number[]; masses: number[]; bonds: number[]; at: Line }

const SEARCH = [process.env.GMXLIB, process.env.GMXDATA ? path.join(process.env.GMXDATA, 'top') : undefined, '/usr/share/gromacs/top'].filter((d): d is string => Boolean(d));

/** The lines of a topology with #include and conditionals resolved (comments removed). */
function preprocess(file: string, defines: Set<string>, out: Line[], depth = 0): void {
  if (depth > 20) throw badInput(`${file}: #include nested more than 20 deep`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw badInput(`${file}: cannot read the topology (${(err as Error).message})`);
  }
  const lines = text.split(/\r?\n/);
  const active: boolean[] = [];  // one entry per open #if: is its branch taken
  const on = () => active.every(Boolean);
  for (let i = 0; i < lines.length; i++) {
    let raw = lines[i];
    while (raw.endsWith('\\') && i + 1 < lines.length) raw = raw.slice(0, -1) + ' ' + lines[++i];
    const t = raw.replace(/;.*/, '').trim();
    if (!t) continue;
    const at = { file, line: i + 1 };
    const directive = /^#\s*(\w+)\s*(.*)$/.exec(t);
    if (directive) {
      const [, d, arg] = directive;
      if (d === 'ifdef' || d === 'ifndef') active.push(defines.has(arg.split(/\s+/)[0]) === (d === 'ifdef'));
      else if (d === 'else') {
        if (!active.length) throw badInput(`${file}:${i + 1}: #else without #ifdef`);
        active.push(!active.pop());
      } else if (d === 'endif') {
        if (!active.length) throw badInput(`${file}:${i + 1}: #endif without #ifdef`);
        active.pop();
      } else if (!on()) continue;
      else if (d === 'define') defines.add(arg.split(/\s+/)[0]);
      else if (d === 'undef') defines.delete(arg.split(/\s+/)[0]);
      else if (d === 'include') {
        const name = arg.replace(/^["<]|[">]$/g, '');
        const candidates = [path.resolve(path.dirname(file), name), ...SEARCH.map((d) => path.join(d, name))];
        const found = candidates.find((c) => fs.existsSync(c));
        if (!found) throw badInput(`${file}:${i + 1}: #include "${name}" not found (looked beside the file, in $GMXLIB and /usr/share/gromacs/top)`);
        preprocess(found, defines, out, depth + 1);
      }
      continue;
    }
    if (on()) out.push({ text: t, ...at });
  }
  if (active.length) throw badInput(`${file}: an #ifdef is not closed by #endif`);
}

export function readGromacsTop(file: string): AtomTopology {
  const lines: Line[] = [];
  preprocess(file, new Set(), lines);
  const where = (l: Line) => `${l.file}:${l.line}`;
  const atomtypes = new Map<string, { mass: number; charge: number }>();
  const types = new Map<string, MoleculeType>();
  const molecules: { name: string; count: number; at: Line }[] = [];
  let section = '';
  let current: MoleculeType | null = null;
  for (const l of lines) {
    const header = /^\[\s*([\w ]+?)\s*\]$/.exec(l.text);
    if (header) {
      section = header[1].toLowerCase();
      continue;
    }
    const f = l.text.split(/\s+/);
    const num = (s: string | undefined, what: string): number => {
      const v = Number(s);
      if (s === undefined || !Number.isFinite(v)) throw badInput(`${where(l)}: expected ${what} in [ ${section} ], got '${s ?? ''}' ('${l.text}')`);
      return v;
    };
    if (section === 'atomtypes') {
      // name [bonded type] [atomic number] mass charge ptype sigma epsilon: find ptype (A, S, V, D).
      const p = f.findIndex((x, k) => k >= 3 && /^[ASVD]$/.test(x));
      if (p < 0) throw badInput(`${where(l)}: expected an [ atomtypes ] line with a particle type (A, S, V or D), got '${l.text}'`);
      atomtypes.set(f[0], { mass: num(f[p - 2], 'a mass'), charge: num(f[p - 1], 'a charge') });
    } else if (section === 'moleculetype') {
      current = { name: f[0], names: [], charges: [], masses: [], bonds: [], at: l };
      if (types.has(f[0])) throw badInput(`${where(l)}: molecule type ${f[0]} is defined twice (first at ${where(types.get(f[0])!.at)})`);
      types.set(f[0], current);
    } else if (section === 'atoms') {
      if (!current) throw badInput(`${where(l)}: [ atoms ] outside a [ moleculetype ]`);
      // nr type resnr residue atom cgnr [charge [mass]]
      if (f.length < 6) throw badInput(`${where(l)}: expected 'nr type resnr residue atom cgnr [charge [mass]]', got '${l.text}'`);
      if (num(f[0], 'the atom number') !== current.names.length + 1) throw badInput(`${where(l)}: atoms of molecule type ${current.name} must be numbered 1, 2, ... in order; expected ${current.names.length + 1}, got ${f[0]}`);
      const type = atomtypes.get(f[1]);
      if (f.length < 8 && !type) throw badInput(`${where(l)}: atom type ${f[1]} has no [ atomtypes ] entry, and the line gives no ${f.length < 7 ? 'charge' : 'mass'}`);
      current.names.push(f[4]);
      current.charges.push(f.length >= 7 ? num(f[6], 'a charge') : type!.charge);
      current.masses.push(f.length >= 8 ? num(f[7], 'a mass') : type!.mass);
    } else if (section === 'bonds' || section === 'settles') {
      if (!current) throw badInput(`${where(l)}: [ ${section} ] outside a [ moleculetype ]`);
      const n = current.names.length;
      const atom = (s: string) => {
        const v = num(s, 'an atom number');
        if (!Number.isInteger(v) || v < 1 || v > n) throw badInput(`${where(l)}: atom ${s} is not one of the ${n} atoms of molecule type ${current!.name}`);
        return v - 1;
      };
      // settles: O is atom f[0], the two H follow it.
      if (section === 'settles') current.bonds.push(atom(f[0]), atom(f[0]) + 1, atom(f[0]), atom(f[0]) + 2);
      else current.bonds.push(atom(f[0]), atom(f[1]));
    } else if (section === 'molecules') {
      const count = num(f[1], 'a molecule count');
      if (!Number.isInteger(count) || count < 0) throw badInput(`${where(l)}: expected a whole number of molecules, got '${f[1]}'`);
      molecules.push({ name: f[0], count, at: l });
    }
  }
  if (!molecules.length) throw badInput(`${file}: no [ molecules ] section (expected 'name count' lines listing the system's molecules in order)`);
  const names: string[] = [], charges: number[] = [], masses: number[] = [], molecule: number[] = [], bonds: number[] = [], moleculeNames: string[] = [];
  for (const m of molecules) {
    const t = types.get(m.name);
    if (!t) throw badInput(`${where(m.at)}: molecule type ${m.name} is not defined ([ moleculetype ] ${m.name} in the topology or an included .itp)`);
    if (!t.names.length) throw badInput(`${where(t.at)}: molecule type ${t.name} has no [ atoms ]`);
    for (let k = 0; k < m.count; k++) {
      const first = names.length, index = moleculeNames.length;
      names.push(...t.names);
      charges.push(...t.charges);
      masses.push(...t.masses);
      for (let a = 0; a < t.names.length; a++) molecule.push(index);
      for (const b of t.bonds) bonds.push(first + b);
      moleculeNames.push(t.name);
    }
  }
  return {
    file,
    types: names,
    // Atom names without their numbering (F1…F6 → F, HW1 → HW) for composition names.
    formulaLabels: names.map((n) => n.replace(/\d+$/, '') || n),
    charges: Float64Array.from(charges),
    masses: Float64Array.from(masses),
    molecules: Int32Array.from(molecule),
    bonds: Int32Array.from(bonds),
    moleculeNames,
  };
}
