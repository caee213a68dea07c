// The peak resident set size of this process alone, in MiB.
// Why not process.resourceUsage().maxRSS (getrusage ru_maxrss): it is kept across execve, so a
// child spawned by a large parent (mocha after hundreds of tests) starts with the parent's RSS at
// fork time as its "peak" — a 100 MB child of a 280 MB parent reports 280 MB. Linux's VmHWM in
// /proc/self/status belongs to the process's own address space, which exec replaces, so it is the
// child's own peak. Elsewhere the rusage figure is the best there is.
import * as fs from 'node:fs';

export function peakRssMiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}
