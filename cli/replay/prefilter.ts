/**
 * A cheap byte test that lets `replay` skip `JSON.parse` for records that cannot matter.
 *
 * Every record `parseEvent` turns into a launch, a failed attempt or a termination names its call
 * or its Auto Scaling event type in plain text: `RunInstances`, `CreateFleet`,
 * `TerminateInstances`, or `EC2 Instance …`; a malformed one names at least its EventBridge
 * detail type, `AWS API Call via CloudTrail`. A record whose bytes contain none of these is "not a
 * launch" whatever else it holds, so it is counted as read and not parsed. Most of a trail is
 * such records (S3, STS, Describe* calls), and parsing is most of replay's cost.
 *
 * The test is a superset: a record that merely mentions one of the names (an IAM policy granting
 * `ec2:RunInstances`, say) is parsed in full and classified by `parseEvent` as usual.
 * `test/cli/replay/prefilter.test.ts` checks it against `parseEvent` on every shared fixture.
 */
import {
  AUTOSCALING_DETAIL_TYPE,
  CLOUDTRAIL_DETAIL_TYPE,
  HANDLED_CALLS,
} from '../../lambda/core/parse-event';

/** Text that every record of interest contains. */
export const MARKERS: readonly string[] = [
  ...HANDLED_CALLS,
  ...Object.values(AUTOSCALING_DETAIL_TYPE),
  // An EventBridge envelope whose `detail` is broken is a malformed record: keep it to report it.
  CLOUDTRAIL_DETAIL_TYPE,
];

const COMMON = 'Instance';
const COMMON_BYTES = Buffer.from(COMMON);
/** Markers that contain {@link COMMON}: looked for only when it is there. */
const WITH_COMMON = MARKERS.filter((m) => m.includes(COMMON)).map((m) => Buffer.from(m));
/** Markers without it (CreateFleet): always looked for. */
const WITHOUT_COMMON = MARKERS.filter((m) => !m.includes(COMMON)).map((m) => Buffer.from(m));

/**
 * Whether a record's bytes may hold a launch, a failed launch or a termination.
 *
 * @returns false only when the record contains none of {@link MARKERS}
 */
export function mayMatter(bytes: Buffer): boolean {
  // One scan for the part most markers share, then those markers only on a hit.
  for (const marker of WITHOUT_COMMON) if (bytes.indexOf(marker) !== -1) return true;
  if (bytes.indexOf(COMMON_BYTES) === -1) return false;
  for (const marker of WITH_COMMON) if (bytes.indexOf(marker) !== -1) return true;
  return false;
}
