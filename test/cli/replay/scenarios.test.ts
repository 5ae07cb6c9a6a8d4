import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../fake-cloud/support/fixtures';
import { NOT_LAUNCH_REASON } from '../../../lambda/core/parse-event';
import {
  AMI,
  asgLaunch,
  createFleet,
  eid,
  failedLaunch,
  GROUP,
  launchSeries,
  MIN,
  otherCall,
  personLaunch,
  REGION,
  replay,
  replayProcess,
  summaryValue,
  T0,
  tempDir,
  terminate,
  trips,
  truncatedLaunch,
  writeLines,
  writeLog,
} from './support';

const JSON_OUT = ['--format', 'json'];
const ASG_ONLY = ['--ami-threshold', '1000'];

describe('replay scenarios', () => {
  it('counts a record delivered twice once', async () => {
    // Prepare: the same three launches in two files (duplicate delivery)
    const dir = tempDir();
    const series = launchSeries(3, T0);
    writeLog(join(dir, 'a.json'), series);
    writeLog(join(dir, 'b.json'), series);
    // Act
    const out = await replay([...JSON_OUT, '--asg-threshold', '4', ...ASG_ONLY, dir]);
    // Assess: 3 distinct instances, below 4; each second mention ignored
    expect(out.code).toBe(0);
    expect(trips(out)).toEqual([]);
    expect(summaryValue(out, 'launches counted (distinct instances)')).toBe(3);
    expect(summaryValue(out, 'duplicate mentions ignored')).toBe(3);
  });

  it('handles records out of order within a file as if they were in order', async () => {
    const dir = tempDir();
    const series = launchSeries(5, T0);
    writeLog(join(dir, 'sorted.json'), series);
    const reversed = tempDir();
    writeLog(join(reversed, 'reversed.json'), [...series].reverse());
    const a = await replay([...JSON_OUT, '--asg-threshold', '3', ...ASG_ONLY, dir]);
    const b = await replay([...JSON_OUT, '--asg-threshold', '3', ...ASG_ONLY, reversed]);
    // The third launch (t0 + 2 min) trips, whatever the order in the file
    expect(trips(b)).toEqual(trips(a));
    expect(trips(b)).toMatchObject([{ launches: 3, eventId: eid(2), at: '2025-03-01T12:02:00Z' }]);
  });

  it('handles a later file holding older records (S3 delivery order)', async () => {
    const dir = tempDir();
    const series = launchSeries(4, T0);
    // File names sort the newer records first.
    writeLog(join(dir, '1-delivered-first.json'), series.slice(2));
    writeLog(join(dir, '2-delivered-late.json'), series.slice(0, 2));
    const out = await replay([...JSON_OUT, '--asg-threshold', '2', ...ASG_ONLY, dir]);
    expect(trips(out)).toMatchObject([{ launches: 2, eventId: eid(1), at: '2025-03-01T12:01:00Z' }]);
  });

  it('breaks ties in eventTime by eventID', async () => {
    const dir = tempDir();
    // Same second, eventIDs b < a by text order of their numbers: 7 before 9.
    const late = asgLaunch({ eventId: eid(9), time: T0 }, ['i-0000000000000000a']);
    const early = asgLaunch({ eventId: eid(7), time: T0 }, ['i-0000000000000000b']);
    writeLog(join(dir, 'a.json'), [late, early]);
    const out = await replay([...JSON_OUT, '--asg-threshold', '2', ...ASG_ONLY, dir]);
    expect(trips(out)).toMatchObject([{ launches: 2, eventId: eid(9) }]);
  });

  it('keeps regions apart', async () => {
    const dir = tempDir();
    writeLog(join(dir, 'a.json'), [
      asgLaunch({ eventId: eid(1), time: T0, region: 'us-east-1' }, ['i-00000000000000001']),
      asgLaunch({ eventId: eid(2), time: T0 + MIN, region: 'eu-west-1' }, ['i-00000000000000002']),
    ]);
    const out = await replay([...JSON_OUT, '--asg-threshold', '2', '--ami-threshold', '2', dir]);
    // Same group name and AMI in two regions: two scopes of one launch each
    expect(trips(out)).toEqual([]);
    const text = await replay(['--asg-threshold', '2', dir]);
    expect(text.stdout).toMatch(/us-east-1\s+web-asg\s+1 /);
    expect(text.stdout).toMatch(/eu-west-1\s+web-asg\s+1 /);
  });

  it('counts failed and dry-run calls as attempts, never as launches', async () => {
    const dir = tempDir();
    writeLog(join(dir, 'a.json'), [
      failedLaunch({ eventId: eid(1), time: T0 }),
      failedLaunch({ eventId: eid(2), time: T0 + MIN }, 'Client.DryRunOperation'),
      asgLaunch({ eventId: eid(3), time: T0 + 2 * MIN }, ['i-00000000000000003']),
    ]);
    const out = await replay([...JSON_OUT, '--asg-threshold', '2', '--ami-threshold', '2', dir]);
    expect(trips(out)).toEqual([]);
    expect(summaryValue(out, 'launches counted (distinct instances)')).toBe(1);
    expect(out.stderr).toContain('failed attempts: 2 (1 dry runs)');
  });

  it('counts every instance of a multi-instance call', async () => {
    const dir = tempDir();
    const ids = ['i-00000000000000001', 'i-00000000000000002', 'i-00000000000000003'];
    writeLog(join(dir, 'a.json'), [asgLaunch({ eventId: eid(1), time: T0 }, ids)]);
    const out = await replay([...JSON_OUT, '--asg-threshold', '3', '--ami-threshold', '3', dir]);
    expect(trips(out)).toEqual([
      {
        scope: 'asg',
        account: '111122223333',
        region: REGION,
        key: GROUP,
        launches: 3,
        threshold: 3,
        at: '2025-03-01T12:00:00Z',
        windowStart: '2025-03-01T11:00:00Z',
        eventId: eid(1),
      },
      {
        scope: 'ami',
        account: '111122223333',
        region: REGION,
        key: AMI,
        launches: 3,
        threshold: 3,
        at: '2025-03-01T12:00:00Z',
        windowStart: '2025-03-01T11:00:00Z',
        eventId: eid(1),
      },
    ]);
  });

  it('counts a call with no group for its AMI only', async () => {
    const dir = tempDir();
    writeLog(join(dir, 'a.json'), [
      personLaunch({ eventId: eid(1), time: T0 }, ['i-00000000000000001', 'i-00000000000000002']),
    ]);
    const out = await replay([...JSON_OUT, '--asg-threshold', '1', '--ami-threshold', '2', dir]);
    expect(trips(out)).toMatchObject([{ scope: 'ami', key: AMI, launches: 2 }]);
  });

  it('counts a truncated record as minCount launches, once however often it is delivered', async () => {
    const dir = tempDir();
    const cut = truncatedLaunch({ eventId: eid(1), time: T0 }, 3);
    writeLog(join(dir, 'a.json'), [cut]);
    writeLog(join(dir, 'b.json'), [cut]);
    const out = await replay([...JSON_OUT, '--asg-threshold', '3', ...ASG_ONLY, dir]);
    expect(trips(out)).toMatchObject([{ scope: 'asg', key: GROUP, launches: 3 }]);
    expect(summaryValue(out, 'launches counted from truncated records')).toBe(3);
    expect(summaryValue(out, 'duplicate mentions ignored')).toBe(3);
  });

  it('counts CreateFleet plus the RunInstances of the same launch once', async () => {
    const dir = tempDir();
    const ids = ['i-00000000000000001', 'i-00000000000000002'];
    writeLog(join(dir, 'a.json'), [
      createFleet({ eventId: eid(1), time: T0 }, ids),
      asgLaunch({ eventId: eid(2), time: T0 }, ids),
    ]);
    const out = await replay([...JSON_OUT, '--asg-threshold', '3', '--ami-threshold', '2', dir]);
    // 2 distinct instances: the group stays below 3; the AMI (named only by RunInstances) reaches 2
    expect(trips(out)).toMatchObject([{ scope: 'ami', key: AMI, launches: 2, eventId: eid(2) }]);
    expect(summaryValue(out, 'launches counted (distinct instances)')).toBe(2);
    expect(summaryValue(out, 'duplicate mentions ignored')).toBe(2);
  });

  it('trips once per episode and re-arms on a launch that finds the count below the threshold', async () => {
    const dir = tempDir();
    // 3 launches a minute apart trip at 3; more launches inside the episode do not trip again.
    const burst = launchSeries(5, T0, 0);
    // Two hours later, one launch finds 1 < 3 in its window: re-armed. Then a new burst trips.
    const later = launchSeries(3, T0 + 120 * MIN, 10);
    writeLog(join(dir, 'a.json'), [...burst, ...later]);
    const out = await replay([...JSON_OUT, '--asg-threshold', '3', ...ASG_ONLY, dir]);
    expect(trips(out).map((t) => [t.eventId, t.launches])).toEqual([
      [eid(2), 3],
      [eid(12), 3],
    ]);
  });

  it('reads .json.gz and .jsonl.gz as it reads the plain files', async () => {
    const plain = tempDir();
    const gz = tempDir();
    const records = launchSeries(3, T0);
    writeLog(join(plain, 'a.json'), records);
    writeLog(join(gz, 'a.json.gz'), records);
    writeLines(join(gz, 'b.jsonl.gz'), launchSeries(2, T0 + 10 * MIN, 20));
    writeLines(join(plain, 'b.jsonl'), launchSeries(2, T0 + 10 * MIN, 20));
    const a = await replay([...JSON_OUT, '--asg-threshold', '4', ...ASG_ONLY, plain]);
    const b = await replay([...JSON_OUT, '--asg-threshold', '4', ...ASG_ONLY, gz]);
    expect(trips(a)).toMatchObject([{ launches: 4 }]);
    expect(trips(b)).toEqual(trips(a));
    expect(summaryValue(b, 'launches counted (distinct instances)')).toBe(5);
  });

  it('skips digest and Insights files and folders', async () => {
    const dir = tempDir();
    const trail = join(dir, 'AWSLogs', '111122223333');
    writeLog(join(trail, 'CloudTrail', REGION, '2025', '03', '01', 'log.json'), launchSeries(1, T0));
    // Launches planted where replay must not look: they would trip the threshold of 2.
    writeLog(join(trail, 'CloudTrail-Digest', REGION, 'x.json.gz'), launchSeries(3, T0, 10));
    writeLog(join(trail, 'CloudTrail-Insight', REGION, 'x.json.gz'), launchSeries(3, T0, 20));
    writeLog(
      join(trail, 'CloudTrail', REGION, '111122223333_CloudTrail-Digest_us-west-2_x.json.gz'),
      launchSeries(3, T0, 30),
    );
    const out = await replay([...JSON_OUT, '--asg-threshold', '2', ...ASG_ONLY, dir]);
    expect(trips(out)).toEqual([]);
    expect(summaryValue(out, 'launches counted (distinct instances)')).toBe(1);
    expect(out.stderr).toContain('digest and Insights files or folders skipped: 3');
  });

  it('reads a CloudTrail log file and JSON Lines of EventBridge events from standard input', async () => {
    // Prepare: the real derived EventBridge event, and bare records
    const event = loadFixture('derived-eventbridge-runinstances-asg-slr.json') as Record<string, unknown>;
    const lines = [event, ...launchSeries(2, T0)].map((v) => JSON.stringify(v)).join('\n');
    const log = JSON.stringify({ Records: launchSeries(2, T0) });
    // Act: real processes
    const fromLines = await replayProcess([...JSON_OUT, '--asg-threshold', '2', ...ASG_ONLY, '-'], lines);
    const fromLog = await replayProcess([...JSON_OUT, '--asg-threshold', '2', ...ASG_ONLY, '-'], log);
    // Assess
    expect(fromLines.code).toBe(0);
    expect(summaryValue(fromLines, 'launches counted (distinct instances)')).toBe(3);
    expect(trips(fromLines)).toMatchObject([{ key: GROUP, launches: 2 }]);
    expect(fromLog.code).toBe(0);
    expect(trips(fromLog)).toMatchObject([{ key: GROUP, launches: 2, eventId: eid(1) }]);
  });

  it('reports malformed records as file:line with a reason and keeps the rest', async () => {
    const dir = tempDir();
    const good = launchSeries(2, T0);
    const text = JSON.stringify({ Records: good }).replace('"eventVersion":"1.10"', '"eventVersion":1.10.1');
    writeFileSync(join(dir, 'a.json'), text);
    writeLines(join(dir, 'b.jsonl'), launchSeries(1, T0 + MIN, 5));
    writeFileSync(
      join(dir, 'b.jsonl'),
      `${readFileSync(join(dir, 'b.jsonl'), 'utf8')}\n{"eventName":"RunInstances",\n`,
    );
    const out = await replay([...JSON_OUT, '--asg-threshold', '2', ...ASG_ONLY, dir]);
    expect(out.code).toBe(0);
    expect(summaryValue(out, 'malformed records skipped')).toBe(2);
    expect(out.stderr).toMatch(/a\.json:1 \(record #1\): not valid JSON/);
    expect(out.stderr).toMatch(/b\.jsonl:2: not valid JSON/);
    // The good record of each file still counts: 2 launches trip the threshold of 2
    expect(trips(out)).toMatchObject([{ launches: 2 }]);
  });

  it('reports a record with a malformed identifier with the reason the guard drops it for', async () => {
    // Prepare: three launches, one with a 3,965-digit account (a fuzzed record of issue 13)
    const dir = tempDir();
    const records = launchSeries(3, T0);
    records[1]!['recipientAccountId'] = '1'.repeat(3965);
    writeLog(join(dir, 'log.json'), records);
    // Act
    const out = await replay([...JSON_OUT, '--asg-threshold', '2', ...ASG_ONLY, dir]);
    // Assess
    expect(out.code).toBe(0);
    expect(summaryValue(out, 'malformed records skipped')).toBe(1);
    expect(out.stderr).toContain(`log.json:1 (record #2): ${NOT_LAUNCH_REASON.badAccount}`);
    expect(trips(out)).toMatchObject([{ launches: 2 }]);
  });

  it('reports a file that is not valid gzip and skips it', async () => {
    const dir = tempDir();
    writeLog(join(dir, 'good.json'), launchSeries(1, T0));
    const gz = writeLog(join(dir, 'cut.json.gz'), launchSeries(3, T0, 10));
    writeFileSync(gz, readFileSync(gz).subarray(0, 60));
    const out = await replay([...JSON_OUT, '--asg-threshold', '2', ...ASG_ONLY, dir]);
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/cut\.json\.gz:\d+: /);
    expect(out.stderr).toContain('files skipped as unreadable: 1');
    expect(summaryValue(out, 'launches counted (distinct instances)')).toBe(1);
  });

  it('shows trips, churn, peaks and the count-rule caveat in the text format', async () => {
    const dir = tempDir();
    const burst = launchSeries(3, T0);
    // The first two instances were terminated before the third launch tripped.
    const ends = terminate({ eventId: eid(100), time: T0 + MIN + 30_000 }, [
      'i-00000000000000000',
      'i-00000000000000001',
    ]);
    writeLog(join(dir, 'a.json'), [...burst, ends, otherCall({ eventId: eid(101), time: T0 })]);
    const out = await replay(['--asg-threshold', '3', dir]);
    expect(out.stdout).toMatch(/^Trips \(window 1h, group threshold 3, AMI threshold 50\): 1$/m);
    expect(out.stdout).toMatch(
      /asg\s+111122223333\s+us-west-2\s+web-asg\s+3\s+3\s+2025-03-01T12:02:00Z.*\s2\/3\s/,
    );
    expect(out.stdout).toMatch(/Peak launches in any one 1h window, Auto Scaling groups \(top 1 of 1\)/);
    expect(out.stdout).toMatch(/Peak launches in any one 1h window, AMIs \(top 1 of 1\)/);
    expect(out.stdout).toContain('replay applies the count rule only');
    // Today's guard confirms by fates and trips slow loops by a streak; it runs no churn check.
    expect(out.stdout).toMatch(/decided launches failed/);
    expect(out.stdout).toMatch(/streak rule/);
    expect(out.stdout).not.toMatch(/churn check|shows the churn/);
    expect(out.stderr).toContain('replay: read 5 records from 1 input');
  });
});
