// How the report names an input file: path, size and a short content hash, so a reader can tell
// which trajectory, field or model a number came from.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

export function fileProvenance(file: unknown): string {
  if (typeof file !== 'string' || !fs.existsSync(file)) return String(file ?? 'n/a');
  const stat = fs.statSync(file);
  const hash = stat.size < 512 * 1024 * 1024 ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16) : 'not hashed (large)';
  return `${file} (${stat.size} bytes, sha256 ${hash}…)`;
}
