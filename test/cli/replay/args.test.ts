import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReplayArgs, UsageError } from '../../../cli/replay/args';
import { DEFAULTS } from '../../../lambda/core/types';
import { launchSeries, replay, replayProcess, T0, tempDir, trips, writeLog } from './support';

describe('parseReplayArgs', () => {
  it('fills the defaults the deployed guard uses', () => {
    expect(parseReplayArgs(['logs'])).toEqual({
      asgThreshold: DEFAULTS.asgThreshold,
      amiThreshold: DEFAULTS.amiThreshold,
      windowMs: DEFAULTS.windowMs,
      format: 'text',
      paths: ['logs'],
    });
  });

  it('reads every flag, in both spellings, and keeps PATHs in order', () => {
    expect(
      parseReplayArgs([
        '--asg-threshold',
        '4',
        '--ami-threshold=7',
        '--window',
        '90s',
        '--format=json',
        'a',
        '-',
        'b',
      ]),
    ).toEqual({ asgThreshold: 4, amiThreshold: 7, windowMs: 90_000, format: 'json', paths: ['a', '-', 'b'] });
    expect(parseReplayArgs(['--', '--weird-file-name'])).toMatchObject({ paths: ['--weird-file-name'] });
  });

  it.each([
    [['--asg-thresold', '3', 'x'], 'unknown flag --asg-thresold'],
    [['--asg-threshold', '0', 'x'], '--asg-threshold must be a whole number of at least 1, not "0"'],
    [['--ami-threshold', '2.5', 'x'], '--ami-threshold must be a whole number of at least 1, not "2.5"'],
    [['--window', '10x', 'x'], '--window must be a duration such as 90s, 15m, 1h or 6h, not "10x"'],
    [['--format', 'yaml', 'x'], '--format must be text or json, not "yaml"'],
    [['--format'], '--format needs a value'],
    [['--window', '1h', '--window', '2h', 'x'], '--window given twice'],
    [['--format', 'json'], 'no PATH given (a file, a directory, or - for stdin)'],
  ])('rejects %j with one line: %s', (argv, message) => {
    expect(() => parseReplayArgs(argv)).toThrow(new UsageError(message));
  });
});

describe('replay exit codes (real process)', () => {
  it('exits 0 with trips on stdout', async () => {
    const dir = tempDir();
    writeLog(join(dir, 'a.json'), launchSeries(2, T0));
    const out = await replayProcess(['--format', 'json', '--asg-threshold', '2', dir]);
    expect(out.code).toBe(0);
    expect(trips(out)).toHaveLength(1);
  });

  it('exits 0 when nothing trips', async () => {
    const dir = tempDir();
    writeLog(join(dir, 'a.json'), launchSeries(2, T0));
    const out = await replayProcess(['--format', 'json', dir]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('');
  });

  it.each([
    [['--bogus', 'x'], 'replay: unknown flag --bogus\n'],
    [
      ['--window', 'soon', 'x'],
      'replay: --window must be a duration such as 90s, 15m, 1h or 6h, not "soon"\n',
    ],
    [['/no/such/trail'], 'replay: cannot read /no/such/trail: no such file or directory\n'],
  ])('exits 2 with one line for %j', async (argv, line) => {
    const out = await replayProcess(argv);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(line);
    expect(out.stdout).toBe('');
  });

  it('exits 2 naming a path it cannot read in-process too', async () => {
    const dir = tempDir();
    const out = await replay([join(dir, 'missing.json.gz')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      `replay: cannot read ${join(dir, 'missing.json.gz')}: no such file or directory\n`,
    );
  });
});
