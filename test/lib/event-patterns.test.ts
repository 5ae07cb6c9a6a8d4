// The synthesized rule patterns against the shared CloudTrail fixtures, with the EventBridge
// matcher of fake-cloud/support/event-pattern.ts.
import { describe, expect, it } from 'vitest';
import { type EventPattern, matchesPattern } from '../../fake-cloud/support/event-pattern';
import { fixtureNames, loadFixture } from '../../fake-cloud/support/fixtures';
import { guardStack, logicalId } from './stacks';

const { stack, guard, template } = guardStack();
const resources = template.toJSON().Resources;
const patternOf = (rule: Parameters<typeof logicalId>[1]) =>
  resources[logicalId(stack, rule)].Properties.EventPattern as EventPattern;
const PATTERNS = {
  cloudTrailLaunch: patternOf(guard.cloudTrailLaunchRule),
  autoScaling: patternOf(guard.autoScalingRule),
  trailTampering: patternOf(guard.trailTamperingRule),
};
type RuleName = keyof typeof PATTERNS;

/** A bare CloudTrail record as EventBridge delivers it (the envelope rule of SOURCES.md). */
function asEventBridge(record: Record<string, unknown>): Record<string, unknown> {
  if ('detail-type' in record) return record;
  const service = String(record.eventSource).split('.')[0];
  return {
    version: '0',
    id: '00000000-0000-0000-0000-000000000000',
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${service}`,
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

/** Every event a fixture file holds, as EventBridge would deliver it. */
function eventsOf(name: string): Record<string, unknown>[] {
  const raw = loadFixture(name) as Record<string, unknown>;
  const records = Array.isArray(raw.Records) ? (raw.Records as Record<string, unknown>[]) : [raw];
  return records.map(asEventBridge);
}

/** Which rule each fixture should reach (none for the rest). */
function expectedRule(name: string): RuleName | undefined {
  if (name.startsWith('runinstances-') || name.startsWith('derived-eventbridge-runinstances-')) {
    return 'cloudTrailLaunch';
  }
  if (name === 'eventbridge-asg-launch-successful.aws-lambda-go.json') return 'autoScaling';
  return undefined;
}

describe('rule patterns against the shared fixtures', () => {
  const names = fixtureNames();

  it('finds the fixtures', () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
  });

  it.each(names)('%s reaches exactly the rule it should', (name) => {
    const expected = expectedRule(name);
    for (const event of eventsOf(name)) {
      const matched = (Object.keys(PATTERNS) as RuleName[]).filter((r) => matchesPattern(PATTERNS[r], event));
      expect(matched).toEqual(expected === undefined ? [] : [expected]);
    }
  });

  it('sends failed and dry-run RunInstances to the guard, which keeps them as failed attempts', () => {
    for (const name of names.filter((n) => /failed|dryrun/.test(n))) {
      for (const event of eventsOf(name)) expect(matchesPattern(PATTERNS.cloudTrailLaunch, event)).toBe(true);
    }
  });

  it('leaves out Auto Scaling launch failures (no instance was launched)', () => {
    const [event] = eventsOf('eventbridge-asg-launch-unsuccessful.c7n.json');
    expect(matchesPattern(PATTERNS.autoScaling, event)).toBe(false);
  });

  it.each(['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'])(
    'alerts on %s, shown on the documented CloudTrail envelope turned into a trail call',
    (eventName) => {
      // Prepare: AWS's own envelope example, with the CloudTrail service and call put in
      const doc = eventsOf('eventbridge-cloudtrail-s3-createbucket.awsdocs.json')[0] as Record<
        string,
        unknown
      >;
      const event = {
        ...doc,
        source: 'aws.cloudtrail',
        detail: { ...(doc.detail as object), eventSource: 'cloudtrail.amazonaws.com', eventName },
      };

      // Act / Assess
      expect(matchesPattern(PATTERNS.trailTampering, event)).toBe(true);
      expect(matchesPattern(PATTERNS.trailTampering, doc)).toBe(false);
      expect(matchesPattern(PATTERNS.cloudTrailLaunch, event)).toBe(false);
    },
  );

  it('ignores a read of a trail (GetTrailStatus)', () => {
    const doc = eventsOf('eventbridge-cloudtrail-s3-createbucket.awsdocs.json')[0] as Record<string, unknown>;
    const event = {
      ...doc,
      source: 'aws.cloudtrail',
      detail: {
        ...(doc.detail as object),
        eventSource: 'cloudtrail.amazonaws.com',
        eventName: 'GetTrailStatus',
      },
    };
    expect(matchesPattern(PATTERNS.trailTampering, event)).toBe(false);
  });
});
