// Every file ionfield writes is written under a temporary name in the destination's folder and
// renamed into place only when complete, so a failed or interrupted run never leaves a half-written
// output and never destroys the previous one. Temporaries still open are remembered here and
// removed when the process exits (normally, on an error, or — via the CLI's signal handlers — on
// SIGINT/SIGTERM), so nothing is left behind either.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const pending = new Set<string>();
let counter = 0;

/** A fresh temporary path beside `destination` (hidden, unique per process and call), tracked until committed or discarded. */
export function temporaryFor(destination: string): string {
  const tmp = path.join(path.dirname(destination), `.${path.basename(destination)}.${process.pid}.${++counter}.tmp`);
  pending.add(tmp);
  return tmp;
}

// Fault injection for the tests: IONFIELD_INJECT_WRITE_FAILURE=k makes the k-th commit of the
// process fail as a full disk would, so every write of every command can be shown to fail cleanly.
const injectAt = Number(process.env.IONFIELD_INJECT_WRITE_FAILURE ?? 0);
let commits = 0;

/** Moves a finished temporary onto its destination (atomic on one file system). */
export function commitTemporary(tmp: string, destination: string): void {
  if (injectAt > 0 && ++commits === injectAt)
    throw Object.assign(new Error(`${destination}: injected write failure (IONFIELD_INJECT_WRITE_FAILURE=${injectAt})`), { code: 'ENOSPC' });
  fs.renameSync(tmp, destination);
  pending.delete(tmp);
}

/** Removes a temporary (a file, or a scratch folder) that will not be committed. */
export function discardTemporary(tmp: string): void {
  pending.delete(tmp);
  fs.rmSync(tmp, { force: true, recursive: true });
}

/**
 * A fresh scratch folder in the system's temporary folder (data spilled to disk while a command
 * runs), tracked like a temporary: discardTemporary removes it, and so does the process's exit.
 */
export function scratchFolder(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  pending.add(dir);
  return dir;
}

/**
 * Moves several finished temporaries into place as one unit, in the order given (a description
 * first, the data it describes last), under a lock on the last destination: two runs racing on
 * the same outputs each install a whole, matching set, one after the other — never a mix.
 */
export function commitTogether(parts: { tmp: string; destination: string }[]): void {
  const lock = `${parts[parts.length - 1].destination}.lock`;
  const deadline = Date.now() + 30_000;
  let fd: number | null = null;
  while (fd === null) {
    try {
      fd = fs.openSync(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than a minute belongs to a process that died mid-commit.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 60_000) fs.rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw Object.assign(new Error(`${lock}: another run has held this lock for 30 s; remove it if no run is writing there`), { code: 'IONFIELD_BAD_INPUT' });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  pending.add(lock);
  try {
    for (const { tmp, destination } of parts) commitTemporary(tmp, destination);
  } finally {
    fs.closeSync(fd);
    discardTemporary(lock);
  }
}

/** Writes several files as one unit (commitTogether): in order, the last one last. */
export function writeFilesTogether(files: { file: string; content: string | Uint8Array }[]): void {
  const parts = files.map(({ file }) => ({ tmp: temporaryFor(file), destination: file }));
  try {
    files.forEach(({ content }, k) => fs.writeFileSync(parts[k].tmp, content));
    commitTogether(parts);
  } catch (err) {
    for (const p of parts) discardTemporary(p.tmp);
    throw err;
  }
}

/** Writes `content` to `file` atomically: the old file stays whole until the new one is. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const tmp = temporaryFor(file);
  try {
    fs.writeFileSync(tmp, content);
    commitTemporary(tmp, file);
  } catch (err) {
    discardTemporary(tmp);
    throw err;
  }
}

/** Writes JSON (one space indentation, trailing newline) atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 1) + '\n');
}

/** Removes every temporary not yet committed; safe to call more than once. */
export function removePendingTemporaries(): void {
  for (const tmp of pending) fs.rmSync(tmp, { force: true, recursive: true });
  pending.clear();
}

/** How many temporaries are open (for tests). */
export function pendingTemporaryCount(): number {
  return pending.size;
}

process.on('exit', removePendingTemporaries);

/**
 * Creates `dir` (and missing parents) and returns an undo that removes, deepest first, the folders
 * this call created if they are still empty — so a run that fails before writing anything leaves
 * no empty output folder behind, and never touches a folder that existed or holds files.
 */
export function makeDirectory(dir: string): () => void {
  const created: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) created.push(d);
  fs.mkdirSync(dir, { recursive: true });
  return () => {
    for (const d of created) {
      try {
        fs.rmdirSync(d); // fails (and stops) at the first folder that is not empty
      } catch {
        return;
      }
    }
  };
}
