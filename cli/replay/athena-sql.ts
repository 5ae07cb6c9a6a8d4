/**
 * `replay --sql athena`: the query that computes replay's trips over the standard CloudTrail
 * table in Amazon Athena, for archives too big for one machine.
 *
 * The same semantics as `engine.ts`, for what the SQL covers:
 * - a launch is a successful `RunInstances` by `ec2.amazonaws.com` (no `errorcode`), one instance
 *   per `responseElements.instancesSet.items[]` entry with an `instanceId`; its group is the tag
 *   `aws:autoscaling:groupName` in the item's `tagSet`, its AMI the item's `imageId`, else the
 *   request's (`requestParameters.instancesSet.items[0].imageId`, else `requestParameters.imageId`);
 *   account = `recipientaccountid`, region = `awsregion`, time = `eventtime` cut to the second;
 * - an instance counts once per scope, at its first mention in (eventTime, eventID) order;
 * - a scope is evaluated at each record that adds an instance to it: the count is its instances
 *   first seen in (t − window, t] up to that record; it trips when the count reaches the threshold
 *   and the scope's previous evaluation was below it (or there was none): once per episode.
 *
 * Left out (the local replay counts them): CreateFleet records (EC2 Fleet also writes a
 * RunInstances record for the instances it launches, which is counted), truncated records
 * (`minCount` synthetic ids), groups named only in the request's `tagSpecificationSet`, and Auto
 * Scaling's own EventBridge events, which are not in a trail.
 *
 * The query is built for two dialects: Athena (Trino) to print, DuckDB to test it against the
 * local replay (`test/cli/replay/athena-sql.test.ts`). They differ only in the {@link Dialect}
 * leaves: time parsing, JSON extraction and unnesting a JSON array; the counting, dedup, window
 * and episode parts are the same text.
 */
import type { ReplayPolicy } from './engine';

/** The few expressions whose spelling differs between Athena (Trino) and DuckDB. */
export interface Dialect {
  /** Epoch seconds (whole) of an ISO 8601 text column. */
  epochSeconds(column: string): string;
  /** A JSON path's scalar as text. */
  jsonText(json: string, path: string): string;
  /** `SELECT <cols>, <element> AS j FROM <from>` with one row per element of a JSON array. */
  unnestJson(cols: string, from: string, json: string, path: string): string;
  /** A timestamp from epoch seconds. */
  timestamp(epochSeconds: string): string;
}

/** Athena engine version 3 (Trino). */
export const ATHENA: Dialect = {
  epochSeconds: (c) => `CAST(floor(to_unixtime(from_iso8601_timestamp(${c}))) AS BIGINT)`,
  jsonText: (j, p) => `json_extract_scalar(${j}, '${p}')`,
  unnestJson: (cols, from, j, p) =>
    `SELECT ${cols}, e.j FROM ${from} CROSS JOIN UNNEST(CAST(json_extract(${j}, '${p}') AS ARRAY(JSON))) AS e(j)`,
  timestamp: (s) => `from_unixtime(${s})`,
};

/** DuckDB, for the tests. */
export const DUCKDB: Dialect = {
  epochSeconds: (c) => `CAST(floor(epoch(CAST(${c} AS TIMESTAMPTZ))) AS BIGINT)`,
  jsonText: (j, p) => `json_extract_string(${j}, '${p}')`,
  unnestJson: (cols, from, j, p) =>
    `SELECT ${cols}, unnest(CAST(json_extract(${j}, '${p}') AS JSON[])) AS j FROM ${from}`,
  timestamp: (s) => `to_timestamp(${s})`,
};

/** Where the trail's table is, and which days of it to read. */
export interface TableRef {
  /** `database.table`, e.g. `default.cloudtrail_logs_pp`. */
  readonly table: string;
  /**
   * First and last day (`YYYY/MM/DD`) kept through the table's `timestamp` partition, as the
   * partition-projection table of the Athena guide names it
   * (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html).
   */
  readonly since?: string;
  readonly until?: string;
}

const GROUP_TAG = 'aws:autoscaling:groupName';

/** The partition filter: only the day folders asked for are read (and paid for). */
function days(table: TableRef): string {
  const out: string[] = [];
  if (table.since !== undefined) out.push(`\n    AND "timestamp" >= '${table.since}'`);
  if (table.until !== undefined) out.push(`\n    AND "timestamp" <= '${table.until}'`);
  return out.join('');
}

/**
 * The query. Its rows are the trips, in replay's order, with replay's JSON keys as columns
 * (`at` and `windowStart` as timestamps, plus `at_epoch` in seconds).
 */
export function tripsSql(policy: ReplayPolicy, table: TableRef, d: Dialect = ATHENA): string {
  const windowS = Math.round(policy.windowMs / 1000);
  return `-- launch-loop-guard replay: trips per Auto Scaling group and per AMI
-- window ${windowS} s, group threshold ${policy.asgThreshold}, AMI threshold ${policy.amiThreshold}
WITH calls AS (
  SELECT eventid, recipientaccountid AS account, awsregion AS region,
         ${d.epochSeconds('eventtime')} AS t,
         responseelements,
         COALESCE(${d.jsonText('requestparameters', '$.instancesSet.items[0].imageId')},
                  ${d.jsonText('requestparameters', '$.imageId')}) AS request_image
  FROM ${table.table}
  WHERE eventsource = 'ec2.amazonaws.com' AND eventname = 'RunInstances'
    AND (errorcode IS NULL OR errorcode = '')${days(table)}
),
items AS (
  ${d.unnestJson('eventid, account, region, t, request_image', 'calls', 'responseelements', '$.instancesSet.items')}
),
instances AS (
  SELECT eventid, account, region, t, ${d.jsonText('j', '$.instanceId')} AS instance_id,
         COALESCE(${d.jsonText('j', '$.imageId')}, request_image) AS image_id, j
  FROM items
),
tags AS (
  ${d.unnestJson('eventid, instance_id, account, region, t', 'instances', 'j', '$.tagSet.items')}
),
mentions AS (
  SELECT DISTINCT 'asg' AS scope, account, region, ${d.jsonText('j', '$.value')} AS scope_key, instance_id, t, eventid
  FROM tags
  WHERE ${d.jsonText('j', '$.key')} = '${GROUP_TAG}' AND instance_id IS NOT NULL
  UNION ALL
  SELECT DISTINCT 'ami', account, region, image_id, instance_id, t, eventid
  FROM instances
  WHERE image_id IS NOT NULL AND image_id <> '' AND instance_id IS NOT NULL
),
-- An instance counts once per scope, at its first mention in (eventTime, eventID) order.
firsts AS (
  SELECT scope, account, region, scope_key, instance_id, t, eventid
  FROM (
    SELECT m.*, row_number() OVER (
      PARTITION BY scope, account, region, scope_key, instance_id ORDER BY t, eventid) AS n
    FROM mentions m
    WHERE scope_key IS NOT NULL AND scope_key <> ''
  ) ranked
  WHERE n = 1
),
-- The records that add an instance to a scope: where the scope is evaluated.
evaluations AS (
  SELECT DISTINCT scope, account, region, scope_key, t, eventid FROM firsts
),
counts AS (
  SELECT e.scope, e.account, e.region, e.scope_key, e.t, e.eventid, count(*) AS launches
  FROM evaluations e
  JOIN firsts f
    ON f.scope = e.scope AND f.account = e.account AND f.region = e.region AND f.scope_key = e.scope_key
   AND f.t > e.t - ${windowS}
   AND (f.t < e.t OR (f.t = e.t AND f.eventid <= e.eventid))
  GROUP BY e.scope, e.account, e.region, e.scope_key, e.t, e.eventid
),
steps AS (
  SELECT c.*,
         CASE WHEN c.scope = 'asg' THEN ${policy.asgThreshold} ELSE ${policy.amiThreshold} END AS threshold,
         lag(c.launches) OVER (PARTITION BY c.scope, c.account, c.region, c.scope_key ORDER BY c.t, c.eventid) AS previous
  FROM counts c
)
SELECT scope, account, region, scope_key AS key, launches, threshold,
       ${d.timestamp('t')} AS at, ${d.timestamp(`t - ${windowS}`)} AS windowStart, eventid AS eventId, t AS at_epoch
FROM steps
WHERE launches >= threshold AND (previous IS NULL OR previous < threshold)
ORDER BY at_epoch, eventId, CASE scope WHEN 'asg' THEN 0 ELSE 1 END, key;
`;
}
