// The private Python environment of scripts/bench/peers.ts: a venv that sees Debian's packages
// (python3-mdanalysis, python3-numpy: the peers this project can always get), into which vesin is
// *tried* from PyPI. An unreachable PyPI is the normal case on build machines without network
// access, so it is reported and the run goes on with the peers it has.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PeerPython {
  python: string;
  mdanalysis: string;
  numpy: string;
  /** vesin's version when importable, else null, with `vesinNote` saying why. */
  vesin: string | null;
  vesinNote: string;
}

const run = (cmd: string, args: string[], timeoutMs = 600_000) => spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 });
const lastLine = (s: string) => s.trim().split('\n').filter((l) => l.trim()).pop() ?? '';

function version(python: string, module: string): string | null {
  const r = run(python, ['-W', 'ignore', '-c', `import ${module}; print(${module}.__version__)`]);
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Creates (or reuses) the venv at `dir` and returns what it can import; throws only when MDAnalysis cannot be had. */
export function peerPython(dir: string, log: (s: string) => void): PeerPython {
  const python = path.join(dir, 'bin', 'python');
  if (!fs.existsSync(python)) {
    // Debian's interpreter, not a pyenv one on PATH: only it sees the python3-* packages.
    const r = run('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', dir]);
    if (r.status !== 0) throw new Error(`python3 -m venv failed (Debian: apt-get install python3-venv):\n${r.stderr}`);
  }
  if (!version(python, 'MDAnalysis') || !version(python, 'numpy')) {
    log('MDAnalysis or NumPy missing: installing python3-mdanalysis python3-numpy from Debian');
    const r = run('apt-get', ['install', '-y', '--no-install-recommends', 'python3-mdanalysis', 'python3-numpy']);
    if (r.status !== 0) throw new Error(`apt-get install python3-mdanalysis failed (run it as root): ${lastLine(r.stderr)}`);
  }
  const mdanalysis = version(python, 'MDAnalysis'), numpy = version(python, 'numpy');
  if (!mdanalysis || !numpy) throw new Error(`${python} still cannot import MDAnalysis and NumPy`);
  let vesin = version(python, 'vesin');
  let vesinNote = vesin ? 'installed in the venv' : '';
  if (!vesin) {
    // Short timeouts and no retries: an unreachable index must cost seconds, not minutes.
    const r = run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--timeout', '10', '--retries', '0', 'vesin'], 120_000);
    vesin = r.status === 0 ? version(python, 'vesin') : null;
    // pip's first ERROR line says it all ("Could not find a version …" when no reachable index has vesin).
    const said = (r.stderr || r.stdout || String(r.error)).split('\n').find((l) => l.startsWith('ERROR')) ?? lastLine(r.stderr ?? '');
    vesinNote = vesin ? 'installed from PyPI' : `pip install vesin failed: PyPI is not reachable from this machine and no index pip can reach has vesin (pip: "${said.slice(0, 160)}"); vesin's Python package skipped`;
  }
  log(`peers: ${python} — MDAnalysis ${mdanalysis}, NumPy ${numpy}, vesin ${vesin ?? 'none'} (${vesinNote})`);
  return { python, mdanalysis, numpy, vesin, vesinNote };
}
