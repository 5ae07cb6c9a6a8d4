/**
 * `departures` in a storm (issue 18): `DescribeScalingActivities` lists the newest 100 first; the
 * causes of older launches are found by paging back, bounded, until the wanted ones are covered.
 */
import { AutoScalingClient, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVITY_PAGES, AutoScalingSuspender } from '../../../lambda/adapters/asg-suspender';

const GROUP = 'storm';
const REGION = 'eu-west-1';
const T0 = Date.UTC(2026, 0, 12, 8, 0, 0);
const asg = mockClient(AutoScalingClient);
const iid = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const ELB =
  'At 2026-01-12T08:10:00Z an instance was taken out of service in response to an ELB system health check failure.';

/** 400 activities, newest first: a launch and a termination for each of 200 instances. */
function storm() {
  return Array.from({ length: 400 }, (_, k) => {
    const n = 199 - Math.floor(k / 2);
    const terminate = k % 2 === 0;
    return {
      ActivityId: `a-${k}`,
      AutoScalingGroupName: GROUP,
      Description: `${terminate ? 'Terminating' : 'Launching a new'} EC2 instance: ${iid(n)}`,
      Cause: terminate
        ? ELB
        : 'At 2026-01-12T08:05:00Z an instance was launched in response to an unhealthy instance needing to be replaced.',
      StartTime: new Date(T0 + n * 1000 + (terminate ? 120_000 : 0)),
      StatusCode: 'Successful' as const,
      Progress: 100,
    };
  });
}

function serve(activities: ReturnType<typeof storm>) {
  asg.on(DescribeScalingActivitiesCommand).callsFake((input: { NextToken?: string; MaxRecords?: number }) => {
    const start = Number(input.NextToken ?? 0);
    const size = input.MaxRecords ?? 100;
    const next = start + size < activities.length ? String(start + size) : undefined;
    return { Activities: activities.slice(start, start + size), ...(next ? { NextToken: next } : {}) };
  });
}

afterEach(() => asg.reset());

describe('departures in a storm', () => {
  const suspender = () => new AutoScalingSuspender((region) => new AutoScalingClient({ region }));

  it('pages back until the oldest judged launches are found', async () => {
    serve(storm());
    const out = await suspender().departures(REGION, GROUP, { ids: [iid(0), iid(1), iid(150)], since: T0 });
    expect(out.get(iid(0))?.cause).toBe(ELB);
    expect(out.get(iid(1))?.cause).toBe(ELB);
    expect(asg.commandCalls(DescribeScalingActivitiesCommand)).toHaveLength(4);
  });

  it('reads one page when the newest covers every wanted launch, and one page without a wish', async () => {
    serve(storm());
    await suspender().departures(REGION, GROUP, { ids: [iid(199)], since: T0 + 199_000 });
    await suspender().departures(REGION, GROUP);
    expect(asg.commandCalls(DescribeScalingActivitiesCommand)).toHaveLength(2);
  });

  it('stops at activities older than the oldest wanted launch, and at the page bound', async () => {
    serve(storm());
    // An instance never terminated: stop once the activities predate its launch
    await suspender().departures(REGION, GROUP, { ids: ['i-0ffffffffffffffff'], since: T0 + 150_000 });
    expect(asg.commandCalls(DescribeScalingActivitiesCommand)).toHaveLength(2);
    asg.reset();
    serve([...storm(), ...storm(), ...storm()]);
    await suspender().departures(REGION, GROUP, { ids: ['i-0ffffffffffffffff'], since: 0 });
    expect(asg.commandCalls(DescribeScalingActivitiesCommand)).toHaveLength(ACTIVITY_PAGES);
  });
});

describe('departures not found', () => {
  it('are not paged for again within 5 minutes by the same container', async () => {
    serve([...storm(), ...storm(), ...storm()]);
    let now = T0;
    const suspender = new AutoScalingSuspender(
      (region) => new AutoScalingClient({ region }),
      () => now,
    );
    const want = { ids: ['i-0ffffffffffffffff'], since: 0 };
    await suspender.departures(REGION, GROUP, want);
    await suspender.departures(REGION, GROUP, want);
    expect(asg.commandCalls(DescribeScalingActivitiesCommand)).toHaveLength(ACTIVITY_PAGES + 1);
    now += 5 * 60_000;
    await suspender.departures(REGION, GROUP, want);
    expect(asg.commandCalls(DescribeScalingActivitiesCommand)).toHaveLength(2 * ACTIVITY_PAGES + 1);
  });
});
