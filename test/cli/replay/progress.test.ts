import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress } from '../../../cli/replay/progress';

function terminal(isTTY: boolean): PassThrough & { isTTY: boolean; text: () => string } {
  const out = new PassThrough() as PassThrough & { isTTY: boolean; text: () => string };
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  out.isTTY = isTTY;
  out.text = () => text;
  return out;
}

describe('Progress', () => {
  it('tells objects, bytes and rate, and the time left once the listing is complete', () => {
    // Prepare
    let now = 0;
    const p = new Progress(terminal(true), () => now);
    p.list(2e6);
    p.list(2e6);
    // Act
    now = 1000;
    p.read(2e6);
    const listing = p.line();
    p.listingComplete();
    // Assess
    expect(listing).toBe('replay: 1/2+ objects, 2.0/4.0 MB, 2.0 MB/s');
    expect(p.line()).toBe('replay: 1/2 objects, 2.0/4.0 MB, 2.0 MB/s, 1 s left');
  });

  it('draws on a terminal only, and clears its line at the end', async () => {
    // Prepare
    let now = 0;
    const tty = terminal(true);
    const pipe = terminal(false);
    for (const out of [tty, pipe]) {
      const p = new Progress(out, () => now);
      p.list(10);
      now += 1000;
      p.read(10);
      p.finish();
    }
    await new Promise((resolve) => setImmediate(resolve));
    // Assess
    expect(tty.text()).toBe('\r\x1b[Kreplay: 1/1+ objects, 0.0/0.0 MB, 0.0 MB/s\r\x1b[K');
    expect(pipe.text()).toBe('');
  });
});
