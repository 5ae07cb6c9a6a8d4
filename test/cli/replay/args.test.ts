import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { parseReplayArgs, UsageError } from '../../../cli/replay/args';
import { ENV, loadConfig } from '../../../lambda/config';
import { WINDOW_LIMITS } from '../../../lambda/core/duration';
import { ConfigError } from '../../../lambda/core/errors';
import { DEFAULTS } from '../../../lambda/core/types';
import { MAX_WINDOW, resolveProps } from '../../../lib/props';
import { launchSeries, logFolder, replay, replayProcess, T0, tempDir, trips } from './support';

describe('parseReplayArgs', () => {
  it('fills the defaults the deployed guard uses', () => {
    expect(parseReplayArgs(['logs'], 4)).toEqual({
      asgThreshold: DEFAULTS.asgThreshold,
      amiThreshold: DEFAULTS.amiThreshold,
      windowMs: DEFAULTS.windowMs,
      format: 'text',
      threads: 4,
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
        '--threads',
        '3',
        'a',
        '-',
        'b',
      ]),
    ).toEqual({
      asgThreshold: 4,
      amiThreshold: 7,
      windowMs: 90_000,
      format: 'json',
      threads: 3,
      paths: ['a', '-', 'b'],
    });
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
    [['--threads', '0', 'x'], '--threads must be a whole number from 1 to 64, not "0"'],
    [['--threads', '65', 'x'], '--threads must be a whole number from 1 to 64, not "65"'],
  ])('rejects %j with one line: %s', (argv, message) => {
    expect(() => parseReplayArgs(argv)).toThrow(new UsageError(message));
  });

  it.each(['30s', '59s', '25h', '400d', '2d'])(
    'rejects --window %s: the deployed guard takes 1 minute to 24 hours',
    (text) => {
      expect(() => parseReplayArgs(['--window', text, 'x'])).toThrow(
        new UsageError(
          `--window must be whole seconds from 1 minute to 24 hours (as the deployed guard), not "${text}"`,
        ),
      );
    },
  );

  it.each([
    ['60s', 60_000],
    ['1m', 60_000],
    ['24h', 86_400_000],
    ['1d', 86_400_000],
  ])('accepts --window %s, a bound of the deployed guard', (text, ms) => {
    expect(parseReplayArgs(['--window', text, 'x'])).toMatchObject({ windowMs: ms });
  });

  it('shares its window bounds with the construct and the function config', () => {
    // Prepare: the three readers of a window length, on the same out-of-bounds values
    const tooShort = '30s';
    // Act + Assess
    expect(() => parseReplayArgs(['--window', tooShort, 'x'])).toThrow(UsageError);
    expect(() => resolveProps({ window: Duration.seconds(30) })).toThrow(/window must be whole seconds/);
    expect(() => loadConfig({ [ENV.tableName]: 't', [ENV.topicArn]: 'arn', [ENV.window]: tooShort })).toThrow(
      ConfigError,
    );
    expect(MAX_WINDOW.toMilliseconds()).toBe(WINDOW_LIMITS.maxMs);
  });
});

describe('replay exit codes (real process)', () => {
  it('exits 0 with trips on stdout', async () => {
    const dir = logFolder(launchSeries(2, T0));
    const out = await replayProcess(['--format', 'json', '--asg-threshold', '2', dir]);
    expect(out.code).toBe(0);
    expect(trips(out)).toHaveLength(1);
  });

  it('exits 0 when nothing trips', async () => {
    const dir = logFolder(launchSeries(2, T0));
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

  it('exits 2 naming the folder when it holds no log file', async () => {
    // Prepare: an empty folder, and one with only a digest file and a CSV
    const empty = tempDir();
    const digestsOnly = tempDir();
    writeFileSync(
      join(digestsOnly, '111122223333_CloudTrail-Digest_us-east-1_t_20250301T010000Z.json.gz'),
      '',
    );
    writeFileSync(join(digestsOnly, 'export.csv'), 'eventName,eventTime\n');
    // Act
    const a = await replayProcess([empty]);
    const b = await replay([digestsOnly]);
    // Assess
    expect(a.code).toBe(2);
    expect(a.stdout).toBe('');
    expect(a.stderr).toBe(
      `replay: no log file in ${empty}: expected CloudTrail files (*.json, *.jsonl, either gzipped)\n`,
    );
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(
      /^replay: no log file in .*; 1 digest or Insights files or folders were left out\n$/,
    );
  });

  it.each([
    ['only broken files', { 'a.json.gz': 'not gzip', 'b.json': '{"Records":[{"eventName":' }],
    ['a CSV named as a file', { 'trail.csv': 'eventName,eventTime\nRunInstances,2025-03-01T12:00:00Z\n' }],
    ['an empty log', { 'a.jsonl': '' }],
  ])('exits 2 after the summary when no input yields a record: %s', async (_name, files) => {
    // Prepare
    const dir = tempDir();
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const paths = Object.keys(files).map((name) => join(dir, name));
    // Act
    const out = await replay(['--format', 'json', ...paths]);
    // Assess
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^replay: read \d+ records? from \d+ inputs?\n/);
    expect(out.stderr).toMatch(
      /\nreplay: no input yielded a record: \d+ inputs? read, none holding a JSON object .*\n$/,
    );
  });

  it.each([
    ['an empty file', 'a.json', '', '1 (0 without a JSON object, 1 unreadable)'],
    [
      'a CSV file',
      'trail.csv',
      'eventName,eventTime\nRunInstances,2025-03-01T12:00:00Z\n',
      '1 (1 without a JSON object, 0 unreadable)',
    ],
    [
      'a Terraform file',
      'main.tf',
      'data "aws_ami" "x" {\n  most_recent = true\n}\n',
      '1 (1 without a JSON object, 0 unreadable)',
    ],
  ])(
    'counts %s as one input read that yielded no record, in every line',
    async (_name, file, text, nothing) => {
      // Prepare
      const dir = tempDir();
      writeFileSync(join(dir, file), text);
      // Act
      const out = await replay([join(dir, file)]);
      // Assess: one input, no record, the same in the first line, the breakdown and the last line
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/^replay: read 0 records from 1 input\n/);
      expect(out.stderr).toContain(`  inputs that yielded no record: ${nothing}\n`);
      expect(out.stderr).toMatch(/\nreplay: no input yielded a record: 1 input read, /);
    },
  );

  it('exits 2 on an empty standard input', async () => {
    const out = await replay(['-'], '');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('replay: no input yielded a record: 1 input read');
  });

  it('exits 0 when some inputs are readable, saying how many were left out', async () => {
    // Prepare
    const dir = logFolder(launchSeries(2, T0));
    writeFileSync(join(dir, 'b.json.gz'), 'not gzip');
    // Act
    const out = await replay(['--format', 'json', '--asg-threshold', '2', dir]);
    // Assess
    expect(out.code).toBe(0);
    expect(trips(out)).toHaveLength(1);
    expect(out.stderr).toMatch(
      /\nreplay: 1 of 2 inputs could not be read and were left out; the results cover the rest\n$/,
    );
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
