/**
 * # Identifiers
 *
 * The formats AWS documents for the identifiers the guard keys its counts on. The parser
 * rejects a record (or drops one instance) whose identifiers break them: such a value can never
 * name a real resource, and an oversized one would break the DynamoDB key (at most 2,048 bytes)
 * or an Auto Scaling call, turning one bad event into retries and a dead letter.
 */

/**
 * Region names of each AWS partition: the `regionRegex` of the SDK's partition table
 * (`@aws-sdk/core` 3.981.1, `dist-cjs/submodules/client/index.js`, the endpoints `partitions`
 * data: aws, aws-cn, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-us-gov).
 */
export const PARTITION_REGION_PATTERNS: readonly RegExp[] = [
  /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
  /^cn-\w+-\d+$/,
  /^eusc-(de)-\w+-\d+$/,
  /^us-iso-\w+-\d+$/,
  /^us-isob-\w+-\d+$/,
  /^eu-isoe-\w+-\d+$/,
  /^us-isof-\w+-\d+$/,
  /^us-gov-\w+-\d+$/,
];

/**
 * The longest region name accepted. The partition patterns take any length (`\w+`); the
 * longest region today is 14 characters (`ap-southeast-7`, `eusc-de-east-1`), so 32 leaves room
 * and keeps junk out of keys.
 */
export const MAX_REGION_LENGTH = 32;

/** Auto Scaling group names: 1 to 255 characters (API reference, `XmlStringMaxLen255`). */
export const MAX_GROUP_NAME_LENGTH = 255;

/** An event id: CloudTrail's `eventID` and EventBridge's `id` are UUIDs; AWS's samples vary. */
export const MAX_EVENT_ID_LENGTH = 128;

const ACCOUNT = /^\d{12}$/;
// EC2 ids: the prefix, then 8 hex digits (before 2016) or 17 (the long ids). AWS writes them
// in lower case; upper case is accepted because sanitised samples carry it.
const AMI = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/i;
const INSTANCE = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/i;
const EVENT_ID = /^[0-9A-Za-z][0-9A-Za-z-]*$/;

/** An AWS account id: exactly 12 digits. */
export function isAccountId(value: string): boolean {
  return ACCOUNT.test(value);
}

/** A region name of one of the partitions, at most {@link MAX_REGION_LENGTH} characters. */
export function isRegion(value: string): boolean {
  return value.length <= MAX_REGION_LENGTH && PARTITION_REGION_PATTERNS.some((p) => p.test(value));
}

/** An Auto Scaling group name: 1 to 255 characters (code points), none of them a control character. */
export function isGroupName(value: string): boolean {
  if (value.length === 0) return false;
  // Count code points, not UTF-16 units. Refused: C0 controls, DEL, C1 controls, lone surrogates.
  let n = 0;
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
    if (code >= 0xd800 && code <= 0xdfff) return false;
    n += 1;
    if (n > MAX_GROUP_NAME_LENGTH) return false;
  }
  return true;
}

/** An AMI id: `ami-` and 8 or 17 hex digits. */
export function isImageId(value: string): boolean {
  return AMI.test(value);
}

/** An instance id: `i-` and 8 or 17 hex digits. */
export function isInstanceId(value: string): boolean {
  return INSTANCE.test(value);
}

/** An event id: letters, digits and dashes, at most {@link MAX_EVENT_ID_LENGTH} characters. */
export function isEventId(value: string): boolean {
  return value.length <= MAX_EVENT_ID_LENGTH && EVENT_ID.test(value);
}
