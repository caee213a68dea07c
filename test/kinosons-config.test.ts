// Hand-written kinoson configurations: what a user may write (a BOM, comments, notes) is read,
// and every mistake is refused with the file, the key (or line and column) and what was expected,
// instead of being ignored or ending as NaN, a native crash or a silently different study.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { tempDir } from './helpers/paths';
import { loadConfig, validateConfig } from '../lib/kinosons/index';

const binary = { name: 'A', fraction: 0.5 };
const base = () => ({ lattice: 'fcc', supercell: 3, species: [binary, { name: 'B', fraction: 0.5 }] });

describe('kinosons: configuration keys', () => {
  it('refuses an unknown key, naming where it is and the key it probably meant', () => {
    assert.throws(() => validateConfig({ ...base(), supercel: 4 }, 'my.json'), /my\.json: unknown key 'supercel' \(did you mean 'supercell'\?\)/);
    assert.throws(() => validateConfig({ ...base(), species: [binary, { name: 'B', frac: 0.5 }] }, 'c'), /species\[1\]: unknown key 'frac'/);
    assert.throws(() => validateConfig({ ...base(), kmc: { step: 10 } }, 'c'), /kmc: unknown key 'step' \(did you mean 'steps'\?\)/);
    assert.throws(() => validateConfig({ ...base(), states: { Training: 10 } }, 'c'), /states: unknown key 'Training' \(did you mean 'training'\?\)/);
    assert.throws(() => validateConfig({ ...base(), models: [{ vacancyShell: 2 }] }, 'c'), /models\[0\]: unknown key 'vacancyShell'/);
    assert.throws(() => validateConfig({ ...base(), pairs: [{ shell: 1, a: 'A', b: 'B', j: 0.1 }] }, 'c'), /pairs\[0\]: unknown key 'j' \(did you mean 'J'\?\)/);
  });

  it('accepts notes: "comment", "description", a study "name" and keys starting with _', () => {
    const c = validateConfig({ ...base(), name: 'AB', description: 'test alloy', _author: 'me', species: [{ ...binary, comment: 'fast' }, { name: 'B', fraction: 0.5 }] });
    assert.equal(c.species.length, 2);
    // A key far from every known one lists them and says where notes go.
    assert.throws(() => validateConfig({ ...base(), units: 'meV' }, 'c'), /unknown key 'units' \(expected one of .*supercell.*; notes go in 'comment'/);
  });

  it('refuses sections that are not objects instead of ignoring them', () => {
    assert.throws(() => validateConfig({ ...base(), kmc: 5 }, 'c'), /c: 'kmc' must be an object/);
    assert.throws(() => validateConfig({ ...base(), states: [] }, 'c'), /c: 'states' must be an object/);
  });

  it('refuses a temperature listed twice (it would count twice in the D(T) fits)', () => {
    assert.throws(() => validateConfig({ ...base(), temperatures: [700, 900, 700] }, 'c'), /c: 'temperatures'.*700 K.*twice/);
  });

  it('refuses temperature and temperatures together', () => {
    assert.throws(() => validateConfig({ ...base(), temperature: 900, temperatures: [1000] }, 'c'), /temperature.*temperatures/);
  });

  it('passes kmc.exponentialTimes on (documented as an option) and refuses a non-boolean', () => {
    assert.equal(validateConfig({ ...base(), kmc: { exponentialTimes: true } }).kmc.exponentialTimes, true);
    assert.equal(validateConfig(base()).kmc.exponentialTimes, undefined);
    assert.throws(() => validateConfig({ ...base(), kmc: { exponentialTimes: 'yes' } }, 'c'), /exponentialTimes/);
  });
});

describe('kinosons: configuration values', () => {
  it('refuses a species left without atoms (its D would be 0/0)', () => {
    assert.throws(() => validateConfig({ ...base(), species: [{ name: 'A', count: 107 }, { name: 'B', count: 0 }] }, 'c'), /c: species\[1\] 'B'.*no atoms/);
    // 0.1 % of 107 atoms rounds to none: the message says so and how to get a solute atom.
    assert.throws(() => validateConfig({ ...base(), species: [{ name: 'A', fraction: 0.999 }, { name: 'B', fraction: 0.001 }] }, 'c'), /species\[1\] 'B'.*0\.001 of 107 atoms.*count/);
  });

  it('refuses a simple-cubic supercell too small for a walk, naming the key', () => {
    assert.throws(() => validateConfig({ ...base(), lattice: 'sc', supercell: 2, species: [{ name: 'A', fraction: 1 }] }, 'c'), /c: 'supercell' must be .*3.*for sc/);
  });

  it('refuses integers the engine cannot hold', () => {
    assert.throws(() => validateConfig({ ...base(), seed: 1e20 }, 'c'), /'seed'/);
    assert.throws(() => validateConfig({ ...base(), kmc: { trajectories: 1e9 } }, 'c'), /'trajectories'/);
    assert.throws(() => validateConfig({ ...base(), states: { training: 1e10 } }, 'c'), /'training'/);
    assert.throws(() => validateConfig({ ...base(), threads: 1e6 }, 'c'), /'threads'/);
    assert.throws(() => validateConfig({ ...base(), models: [{ networkHidden: 4, epochs: 1e12 }] }, 'c'), /'epochs'/);
  });

  it('refuses the same pair listed twice with different energies', () => {
    const pairs = [
      { shell: 1, a: 'A', b: 'B', J: 0.1 },
      { shell: 1, a: 'B', b: 'A', J: 0.2 },
    ];
    assert.throws(() => validateConfig({ ...base(), pairs }, 'c'), /pairs\[1\].*pairs\[0\]/);
    assert.equal(validateConfig({ ...base(), pairs: [pairs[0], { ...pairs[1], J: 0.1 }] }).pairs.length, 2);
  });
});

describe('kinosons: configuration files written by hand', () => {
  const dir = tempDir();
  const write = (name: string, text: string | Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it('reads a UTF-8 byte-order mark, // and /* */ comments and CRLF line ends', () => {
    const text = '\ufeff{\r\n  // a binary alloy\r\n  "lattice": "bcc", /* 54 sites */ "supercell": 3,\r\n  "species": [{"name": "A", "fraction": 1, "e0": 0.5}] // pure\r\n}\r\n';
    const c = loadConfig(write('commented.json', text));
    assert.equal(c.lattice, 'bcc');
    assert.equal(c.species[0].count, 53);
    // A comment marker inside a string is text, not a comment.
    assert.equal(loadConfig(write('slashes.json', '{"species": [{"name": "A//B/*x*/", "fraction": 1}]}')).species[0].name, 'A//B/*x*/');
  });

  it('names the line and column of a syntax error', () => {
    const cases: [string, number, number][] = [
      ['{\n  "lattice": "fcc",\n  "supercell": 3,\n}\n', 4, 1], // trailing comma
      ['{\n  "lattice": fcc\n}', 2, 14], // unquoted string
      ['{\n  "seed": 1\n  "lattice": "fcc"\n}', 3, 3], // missing comma
      ['{\n  "temperatures": [NaN]\n}', 2, 20],
      ['{"lattice": "fcc"', 1, 18], // unterminated
    ];
    for (const [text, line, column] of cases) {
      const f = write('syntax.json', text);
      assert.throws(() => loadConfig(f), (e: Error) => {
        assert.match(e.message, new RegExp(`syntax\\.json: line ${line}, column ${column}: not valid JSON`), `${JSON.stringify(text)}: ${e.message}`);
        return true;
      });
    }
  });

  it('exits with 1 and the file, key and line through the CLI, with no stack trace', () => {
    const typo = write('typo.json', JSON.stringify({ ...base(), temperatrues: [900] }));
    const r = runCli(['kinosons', 'kmc', '--config', typo, '--json']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /typo\.json: unknown key 'temperatrues' \(did you mean 'temperatures'\?\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(r.stdout, '');
    const empty = runCli(['kinosons', 'fit', '--config', write('empty.json', '')]);
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /empty\.json: line 1, column 1: not valid JSON/);
  });
});
