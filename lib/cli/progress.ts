// A one-line progress bar on stderr, drawn only when stderr is a terminal (never in --json pipes).
import type { Progress as ProgressEvent } from '../progress';

export class Progress {
  private last = 0;
  private readonly enabled: boolean;
  private readonly started = Date.now();

  constructor(private readonly label: string, private total: number | null = null, enabled = true) {
    this.enabled = enabled && process.stderr.isTTY === true && !process.env.IONFIELD_NO_PROGRESS;
  }

  setTotal(total: number | null): void {
    this.total = total;
  }

  update(done: number, unit = 'frames'): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done !== this.total) return;
    this.last = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? `${(done / seconds).toFixed(1)} ${unit}/s` : '';
    let line = `${this.label} ${done} ${unit} ${rate}`;
    if (this.total && this.total > 0) {
      const width = 30;
      const f = Math.min(1, done / this.total);
      const bar = '#'.repeat(Math.round(f * width)).padEnd(width, '.');
      line = `${this.label} [${bar}] ${done}/${this.total} ${unit} ${rate}`;
    }
    process.stderr.write(`\r${line}\x1b[K`);
  }

  /** Draws a library progress event (lib/progress.ts): the callback every long call takes. */
  readonly report = (p: ProgressEvent): void => {
    if (p.total !== null) this.total = p.total;
    this.update(p.done, p.unit);
  };

  done(): void {
    if (this.enabled) process.stderr.write('\r\x1b[K');
  }
}
