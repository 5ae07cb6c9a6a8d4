/**
 * The progress line `replay` keeps on standard error while it reads from S3, when standard error
 * is a terminal: objects and bytes done, rate, and the time left once the listing is complete.
 */
import type { Writable } from 'node:stream';

/** Counts objects and bytes and redraws one line at most four times a second. */
export class Progress {
  private listed = 0;
  private listedBytes = 0;
  private listingDone = false;
  private done = 0;
  private doneBytes = 0;
  private drawn = 0;
  private readonly started: number;

  constructor(
    private readonly out: Writable & { isTTY?: boolean },
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** An object was listed. */
  list(bytes: number): void {
    this.listed += 1;
    this.listedBytes += bytes;
  }

  /** The listing is complete: the time left can be told. */
  listingComplete(): void {
    this.listingDone = true;
  }

  /** An object was read. */
  read(bytes: number): void {
    this.done += 1;
    this.doneBytes += bytes;
    if (this.now() - this.drawn >= 250) this.draw();
  }

  /** The line as it stands. */
  line(): string {
    const seconds = Math.max(0.001, (this.now() - this.started) / 1000);
    const rate = this.doneBytes / seconds;
    const left = this.listingDone && rate > 0 ? (this.listedBytes - this.doneBytes) / rate : undefined;
    return (
      `replay: ${this.done}/${this.listed}${this.listingDone ? '' : '+'} objects, ` +
      `${mb(this.doneBytes)}/${mb(this.listedBytes)} MB, ${mb(rate)} MB/s` +
      (left === undefined ? '' : `, ${Math.ceil(left)} s left`)
    );
  }

  /** Remove the line before the summary. */
  finish(): void {
    if (this.out.isTTY === true && this.drawn > 0) this.out.write('\r\x1b[K');
  }

  private draw(): void {
    if (this.out.isTTY !== true) return;
    this.drawn = this.now();
    this.out.write(`\r\x1b[K${this.line()}`);
  }
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
