import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureNames, loadFixture } from '../../../fake-cloud/support/fixtures';
import { inCloudTrailEnvelope } from '../../../fake-cloud/support/launch-events';
import { applyMutations, mutationArb, pathsOf } from '../../../fake-cloud/support/mutations';
import * as id from '../../../lambda/core/identifiers';
import { NOT_LAUNCH_REASON, parseEvent } from '../../../lambda/core/parse-event';
import { launchScopes } from '../../../lambda/core/scopes';
import { LAUNCH_SOURCE, type ParsedEvent } from '../../../lambda/core/types';

const REASONS = new Set<string>(Object.values(NOT_LAUNCH_REASON));
const SOURCES = new Set<string>(Object.values(LAUNCH_SOURCE));

const isText = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const isOptionalText = (v: unknown): boolean => v === undefined || isText(v);

/**
 * Every way a result can break the ParsedEvent contract, as messages (empty when valid).
 * Checked on every generated input, so a failure names the broken invariant.
 */
function violations(p: ParsedEvent): string[] {
  const out: string[] = [];
  const check = (ok: boolean, message: string): void => {
    if (!ok) out.push(message);
  };
  if (p.kind === 'not-launch') {
    check(REASONS.has(p.reason), `unknown reason ${p.reason}`);
    check(typeof p.malformed === 'boolean', 'malformed is not a boolean');
    return out;
  }
  check(isText(p.account) && id.isAccountId(p.account), 'account is not 12 digits');
  check(isText(p.region) && id.isRegion(p.region), 'region is not a partition region');
  check(isText(p.eventId) && id.isEventId(p.eventId), 'eventId is not an event id');
  check(
    Number.isFinite(p.eventTime) && p.eventTime % 1000 === 0,
    `eventTime ${p.eventTime} is not whole seconds`,
  );
  check(typeof p.caller === 'object' && p.caller !== null, 'caller is not an object');
  check(isOptionalText(p.caller.arn) && isOptionalText(p.caller.invokedBy), 'caller fields are not strings');
  switch (p.kind) {
    case 'launch': {
      check(SOURCES.has(p.source), `unknown source ${p.source}`);
      check(typeof p.truncated === 'boolean', 'truncated is not a boolean');
      check(p.instances.length >= 1, 'a launch without instances');
      for (const i of p.instances) {
        check(isText(i.instanceId), 'an instance id is not a non-empty string');
        check(isOptionalText(i.imageId), 'imageId is not a non-empty string');
        check(isOptionalText(i.groupName), 'groupName is not a non-empty string');
        check(p.truncated || id.isInstanceId(i.instanceId), 'a malformed instance id was kept');
        check(i.imageId === undefined || id.isImageId(i.imageId), 'a malformed AMI id was kept');
        check(i.groupName === undefined || id.isGroupName(i.groupName), 'a malformed group name was kept');
        check(isOptionalText(i.launchTemplateId), 'launchTemplateId is not a non-empty string');
        if (p.truncated) check(i.instanceId.startsWith(`${p.eventId}#`), 'a truncated launch with a real id');
      }
      for (const scope of launchScopes(p)) {
        check(scope.mentions.length >= 1, 'a scope without mentions');
        check(
          scope.mentions.every((m) => m.time === p.eventTime),
          'a mention not at the record time',
        );
      }
      break;
    }
    case 'failed':
      check(isText(p.eventName) && isText(p.errorCode), 'failed attempt without event name or error code');
      check(
        isOptionalText(p.imageId) && isOptionalText(p.groupName),
        'failed attempt fields are not strings',
      );
      break;
    case 'terminate':
      check(p.instanceIds.length >= 1, 'a termination without instances');
      check(p.instanceIds.every(isText), 'a terminated id is not a non-empty string');
      check(p.instanceIds.every(id.isInstanceId), 'a malformed terminated id was kept');
      check(isOptionalText(p.groupName), 'groupName is not a non-empty string');
      break;
    default:
      out.push(`unknown kind ${JSON.stringify(p)}`);
  }
  return out;
}

/** Parse, and assert the contract; counts every input it checks. */
let checked = 0;
function parseAndCheck(input: unknown): ParsedEvent {
  checked += 1;
  const parsed = parseEvent(input);
  expect(violations(parsed)).toEqual([]);
  return parsed;
}

/**
 * Parse and check `runs` values drawn from `arbitrary`, handing each result to `seen`; returns how
 * many inputs were checked meanwhile.
 */
function checkRuns<T>(
  arbitrary: fc.Arbitrary<T>,
  runs: number,
  seen?: (parsed: ParsedEvent) => void,
): number {
  const before = checked;
  fc.assert(
    fc.property(arbitrary, (value) => {
      const parsed = parseAndCheck(value);
      seen?.(parsed);
    }),
    { numRuns: runs },
  );
  return checked - before;
}

// ---------------------------------------------------------------------------------------------
// Mutations of the real fixtures

/** The fixtures as parse inputs: each file, the record inside a log file, and each bare record in an envelope. */
function seeds(): Array<readonly [string, unknown]> {
  const out: Array<readonly [string, unknown]> = [];
  for (const name of fixtureNames()) {
    const value = loadFixture(name) as Record<string, unknown>;
    out.push([name, value]);
    if (Array.isArray(value['Records'])) out.push([`${name} Records[0]`, value['Records'][0]]);
    if ('eventName' in value) {
      out.push([`${name} in an envelope`, inCloudTrailEnvelope(value, 'e')]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Structured random input: keys the parser reads, values of every type

const KEYS = [
  'detail-type',
  'detail',
  'source',
  'id',
  'time',
  'account',
  'region',
  'Records',
  'eventName',
  'eventSource',
  'eventID',
  'eventTime',
  'awsRegion',
  'recipientAccountId',
  'userIdentity',
  'arn',
  'principalId',
  'invokedBy',
  'accountId',
  'errorCode',
  'requestParameters',
  'responseElements',
  'instancesSet',
  'items',
  'item',
  'instanceId',
  'imageId',
  'minCount',
  'omitted',
  'tagSet',
  'tagSpecificationSet',
  'resourceType',
  'tags',
  'key',
  'value',
  'launchTemplate',
  'launchTemplateId',
  'CreateFleetRequest',
  'CreateFleetResponse',
  'fleetInstanceSet',
  'instanceIds',
  'errorSet',
  'launchTemplateAndOverrides',
  'overrides',
  'TagSpecification',
  'ResourceType',
  'Tag',
  'Key',
  'Value',
  'LaunchTemplateConfigs',
  'LaunchTemplateSpecification',
  'LaunchTemplateId',
  'Overrides',
  'ImageId',
  'EC2InstanceId',
  'AutoScalingGroupName',
  'StatusCode',
];

const LEAVES = fc.oneof(
  fc.constantFrom(
    'AWS API Call via CloudTrail',
    'EC2 Instance Launch Successful',
    'EC2 Instance Launch Unsuccessful',
    'EC2 Instance Terminate Successful',
    'aws.autoscaling',
    'ec2.amazonaws.com',
    'RunInstances',
    'CreateFleet',
    'TerminateInstances',
    'aws:autoscaling:groupName',
    'aws:ec2launchtemplate:id',
    'instance',
    'fleet',
    'i-0abc',
    'ami-0abc',
    '2024-01-01T00:00:00Z',
    '2024-01-01 00:00:00.000000000',
    '9999-12-31T23:59:59Z',
    'Client.DryRunOperation',
    '',
    '3',
    true,
    null,
    0,
    -1,
    3,
    1e12,
    Number.MAX_SAFE_INTEGER,
  ),
  fc.jsonValue({ maxDepth: 0 }),
);

const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    LEAVES,
    fc.dictionary(fc.constantFrom(...KEYS), tie('tree'), { maxKeys: 6 }),
    fc.array(tie('tree'), { maxLength: 3 }),
  ),
}));

/** A value that is usually well-formed at this spot and sometimes any random tree. */
const sometimes = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: tree });

const tagArb = fc.record(
  {
    key: sometimes(fc.constantFrom('aws:autoscaling:groupName', 'Name')),
    value: sometimes(fc.constant('g')),
  },
  { requiredKeys: [] },
);
const runItemArb = fc.record(
  {
    instanceId: sometimes(fc.constantFrom('i-01234567890abcdef', 'i-0fedcba9876543210', 'i-12345678', 'i-1')),
    imageId: sometimes(fc.constantFrom('ami-0abc1234def567890', 'ami-12345678', 'ami-2')),
    tagSet: sometimes(fc.record({ items: sometimes(fc.array(tagArb, { maxLength: 3 })) })),
  },
  { requiredKeys: [] },
);
const fleetItemArb = fc.record(
  {
    instanceIds: sometimes(
      fc.oneof(
        fc.constant('i-01234567890abcdef'),
        fc.array(fc.constantFrom('i-0fedcba9876543210', 'i-2')),
        fc.record({ item: sometimes(fc.constant('i-12345678')) }),
      ),
    ),
    launchTemplateAndOverrides: sometimes(fc.record({ overrides: sometimes(fc.record({ imageId: tree })) })),
  },
  { requiredKeys: [] },
);
const responseArb = fc.oneof(
  fc.record({
    instancesSet: sometimes(fc.record({ items: sometimes(fc.array(runItemArb, { maxLength: 3 })) })),
  }),
  fc.record({
    CreateFleetResponse: sometimes(
      fc.record(
        {
          fleetInstanceSet: sometimes(
            fc.record({ item: sometimes(fc.oneof(fleetItemArb, fc.array(fleetItemArb))) }),
          ),
          errorSet: sometimes(fc.record({ item: sometimes(fc.record({ errorCode: tree })) })),
        },
        { requiredKeys: [] },
      ),
    ),
  }),
  fc.constant({ omitted: true }),
  fc.constant(null),
);

/** CloudTrail-shaped records whose every field is sometimes right and sometimes random. */
const shapedRecord = fc.record(
  {
    eventName: sometimes(fc.constantFrom('RunInstances', 'CreateFleet', 'TerminateInstances')),
    eventSource: sometimes(fc.constant('ec2.amazonaws.com')),
    eventID: sometimes(fc.constant('e-1')),
    eventTime: sometimes(fc.constantFrom('2024-01-01T00:00:00Z', '2024-01-01 00:00:00.000000000')),
    awsRegion: sometimes(fc.constant('us-east-1')),
    recipientAccountId: sometimes(fc.constant('111122223333')),
    userIdentity: sometimes(fc.record({ arn: tree, invokedBy: tree }, { requiredKeys: [] })),
    errorCode: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: tree }),
    requestParameters: sometimes(
      fc.record(
        {
          instancesSet: sometimes(fc.record({ items: sometimes(fc.array(fc.record({ minCount: tree }))) })),
          tagSpecificationSet: sometimes(
            fc.record({ items: sometimes(fc.array(fc.record({ resourceType: tree, tags: tree }))) }),
          ),
          CreateFleetRequest: tree,
        },
        { requiredKeys: [] },
      ),
    ),
    responseElements: sometimes(responseArb),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------------------------

describe('parseEvent (property)', () => {
  it('never throws and returns a valid result on 10,000 random JSON values', () => {
    expect(checkRuns(fc.jsonValue(), 10_000)).toBeGreaterThanOrEqual(10_000);
  });

  it('never throws on 3,000 arbitrary JavaScript values (null prototypes, undefined, bigint, …)', () => {
    const anything = fc.anything({
      withNullPrototype: true,
      withBigInt: true,
      withMap: true,
      withDate: true,
    });
    expect(checkRuns(anything, 3_000)).toBe(3_000);
  });

  it('never throws on 10,000 random records built from the keys the parser reads', () => {
    expect(checkRuns(tree, 10_000)).toBe(10_000);
  });

  it('never throws on 5,000 CloudTrail-shaped records, and reaches every kind of result', () => {
    const kinds = new Set<string>();
    const runs = checkRuns(shapedRecord, 5_000, (parsed) => {
      kinds.add(parsed.kind === 'not-launch' ? `not-launch:${parsed.malformed}` : parsed.kind);
    });
    expect(runs).toBe(5_000);
    expect([...kinds].sort()).toEqual([
      'failed',
      'launch',
      'not-launch:false',
      'not-launch:true',
      'terminate',
    ]);
  });

  it.each(seeds())('keeps the contract under 600 random mutations of %s', (_, original) => {
    // Prepare
    const paths = pathsOf(original);
    const text = JSON.stringify(original);
    const before = checked;
    const originalKind = parseEvent(original).kind;
    let sameKind = 0;
    // Act + Assess
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (mutations) => {
        const input = applyMutations(original, paths, mutations);
        const snapshot = JSON.stringify(input);
        if (parseAndCheck(input).kind === originalKind) sameKind += 1;
        // The parser reads its input and never changes it.
        expect(JSON.stringify(input)).toBe(snapshot);
      }),
      { numRuns: 600 },
    );
    expect(checked - before).toBe(600);
    expect(JSON.stringify(original)).toBe(text);
    // Most mutations hit fields the parser does not read: the mutated inputs still reach its deep paths.
    expect(sameKind).toBeGreaterThan(0);
  });

  it('checked well over 10,000 inputs in total', () => {
    // Runs last in this file (vitest runs a file's tests in order).
    expect(checked).toBeGreaterThan(28_000 + 600 * fixtureNames().length);
  });
});
