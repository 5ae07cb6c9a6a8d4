import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../bench/random';
import { ATHENA, DUCKDB, tripsSql } from '../../../cli/replay/athena-sql';
import {
  AMI,
  asgLaunch,
  eid,
  failedLaunch,
  type Json,
  logFolder,
  MIN,
  personLaunch,
  replay,
  T0,
  terminate,
  trips,
} from './support';

/**
 * Launches of four groups and two AMIs over four hours: bursts and quiet spells (several episodes
 * per group), several instances per call, calls by people (AMI only), records delivered twice,
 * several records in one second (ties broken by eventID), the same instance in two records,
 * failed calls and terminations (which launch nothing), in shuffled order.
 */
function records(): Json[] {
  const rand = mulberry32(11);
  const out: Json[] = [];
  let n = 0;
  for (let k = 0; k < 400; k += 1) {
    // Bursts: most launches in the first 10 minutes of each hour.
    const minute =
      Math.floor(k / 100) * 60 + (rand() < 0.8 ? Math.floor(rand() * 10) : Math.floor(rand() * 60));
    const time = T0 + minute * MIN + Math.floor(rand() * 3) * 1000;
    const ids = Array.from(
      { length: 1 + Math.floor(rand() * rand() * 3) },
      () => `i-${String(n++).padStart(17, '0')}`,
    );
    const at = { eventId: eid(Math.floor(rand() * 1e6)), time };
    const ami = rand() < 0.7 ? AMI : 'ami-0aaaaaaaaaaaaaaaa';
    const record = rand() < 0.15 ? personLaunch(at, ids, ami) : asgLaunch(at, ids, `group-${k % 4}`, ami);
    out.push(record);
    if (rand() < 0.05) out.push(record);
    if (rand() < 0.03)
      out.push(asgLaunch({ eventId: eid(2e6 + k), time: time + MIN }, ids, `group-${k % 4}`, ami));
    if (rand() < 0.05) out.push(failedLaunch({ eventId: eid(3e6 + k), time }));
    if (rand() < 0.1) out.push(terminate({ eventId: eid(4e6 + k), time: time + 2 * MIN }, ids));
  }
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The records as rows of the CloudTrail table Athena's documentation creates (JSON as text). */
async function duckTrips(rows: readonly Json[], sql: string): Promise<Json[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`CREATE TABLE cloudtrail_logs (
      eventversion VARCHAR, eventtime VARCHAR, eventsource VARCHAR, eventname VARCHAR,
      awsregion VARCHAR, errorcode VARCHAR, requestparameters VARCHAR, responseelements VARCHAR,
      eventid VARCHAR, recipientaccountid VARCHAR)`);
    const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
    const values: (string | null)[] = [];
    const tuples: string[] = [];
    for (const r of rows) {
      const k = values.length;
      tuples.push(`(${Array.from({ length: 10 }, (_, i) => `$${k + i + 1}`).join(', ')})`);
      values.push(
        r.eventVersion ?? null,
        r.eventTime,
        r.eventSource,
        r.eventName,
        r.awsRegion,
        r.errorCode ?? null,
        json(r.requestParameters),
        json(r.responseElements),
        r.eventID,
        r.recipientAccountId,
      );
    }
    await c.run(`INSERT INTO cloudtrail_logs VALUES ${tuples.join(', ')}`, values);
    const reader = await c.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Json[];
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe('replay --sql athena, run on DuckDB', () => {
  it.each([
    [{ asgThreshold: 5, amiThreshold: 12, windowMs: 10 * MIN }],
    [{ asgThreshold: 3, amiThreshold: 8, windowMs: 2 * MIN }],
    [{ asgThreshold: 20, amiThreshold: 40, windowMs: 60 * MIN }],
  ])('finds the trips the local replay finds on the same records: %j', async (policy) => {
    // Prepare
    const rs = records();
    const dir = logFolder(rs);
    // Act
    const local = await replay([
      '--format',
      'json',
      '--threads',
      '1',
      '--asg-threshold',
      String(policy.asgThreshold),
      '--ami-threshold',
      String(policy.amiThreshold),
      '--window',
      `${policy.windowMs / 1000}s`,
      dir,
    ]);
    const fromSql = await duckTrips(rs, tripsSql(policy, { table: 'cloudtrail_logs' }, DUCKDB));
    // Assess
    const expected = trips(local).map(({ windowStart: _w, ...t }) => ({ ...t, at: Date.parse(t.at) / 1000 }));
    expect(expected.length).toBeGreaterThan(2);
    expect(
      fromSql.map((t) => ({
        scope: t.scope,
        account: t.account,
        region: t.region,
        key: t.key,
        launches: Number(t.launches),
        threshold: Number(t.threshold),
        at: Number(t.at_epoch),
        eventId: t.eventId ?? t.eventid,
      })),
    ).toEqual(expected);
  });

  it('prints the Athena spelling, differing from the tested one only in the dialect leaves', () => {
    // Prepare
    const policy = { asgThreshold: 10, amiThreshold: 50, windowMs: 60 * MIN };
    // Act
    const athena = tripsSql(policy, { table: 'default.cloudtrail_logs' }, ATHENA);
    // Assess
    expect(athena).toContain('FROM default.cloudtrail_logs');
    expect(athena).toContain('from_iso8601_timestamp(eventtime)');
    expect(athena).toContain('CROSS JOIN UNNEST(CAST(json_extract(responseelements');
    expect(athena).toContain("json_extract_scalar(j, '$.instanceId')");
    const leaves = (sql: string): string =>
      sql
        .replace(/CAST\(floor\([^\n]*?\) AS BIGINT\)/g, 'T')
        .replace(/json_extract_(scalar|string)/g, 'J')
        .replace(/SELECT [^\n]*?(unnest|UNNEST)[^\n]*/g, 'U')
        .replace(/(from_unixtime|to_timestamp)/g, 'TS')
        .replace('default.cloudtrail_logs', 'cloudtrail_logs');
    expect(leaves(athena)).toBe(leaves(tripsSql(policy, { table: 'cloudtrail_logs' }, DUCKDB)));
  });
});

describe('replay --sql athena (command line)', () => {
  it('prints the query for the given thresholds, window, table and days', async () => {
    // Act
    const out = await replay([
      '--sql',
      'athena',
      '--table',
      'trails.org_cloudtrail',
      '--asg-threshold',
      '7',
      '--window',
      '30m',
      '--since',
      '2025-12-01',
      '--until',
      '2025-12-31',
    ]);
    // Assess
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      tripsSql(
        { asgThreshold: 7, amiThreshold: 50, windowMs: 30 * MIN },
        { table: 'trails.org_cloudtrail', since: '2025/12/01', until: '2025/12/31' },
        ATHENA,
      ),
    );
    expect(out.stdout).toContain(`AND "timestamp" >= '2025/12/01'`);
    expect(out.stdout).toContain('f.t > e.t - 1800');
  });

  it.each([
    [['--sql', 'mysql'], 'replay: --sql must be athena, not "mysql"\n'],
    [['--sql', 'athena', 'trail/'], 'replay: --sql prints a query and reads no PATH\n'],
    [['--table', 't', 'trail/'], 'replay: --table goes with --sql athena\n'],
    [
      ['--sql', 'athena', '--table', 'x; DROP'],
      'replay: --table must be a table name such as mydb.cloudtrail_logs_pp, not "x; DROP"\n',
    ],
  ])('exits 2 for %j', async (argv, line) => {
    const out = await replay(argv);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(line);
  });
});
