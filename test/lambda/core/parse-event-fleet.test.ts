/** parseEvent on CreateFleet records (made from the Auto Scaling RunInstances fixture). */
import { describe, expect, it } from 'vitest';
import { NOT_LAUNCH_REASON, parseEvent } from '../../../lambda/core/parse-event';
import { ASG_GROUP, asLaunch, createFleet, notLaunch } from './parse-event-records';

/** A failed CreateFleet of the fixture's group, as parsed (the fields checked). */
const failedFleet = (errorCode: string) => ({
  kind: 'failed',
  eventName: 'CreateFleet',
  errorCode,
  groupName: ASG_GROUP,
});

describe('parseEvent on CreateFleet', () => {
  const lone = { item: { lifecycle: 'on-demand', instanceIds: { item: 'i-0aaa0000000000000' } } };

  it('reads a lone fleet item given as an object, with the group from the request tags', () => {
    // Act
    const parsed = asLaunch(parseEvent(createFleet(lone)));
    // Assess
    expect(parsed.source).toBe('CreateFleet');
    expect(parsed.truncated).toBe(false);
    expect(parsed.instances).toStrictEqual([
      { instanceId: 'i-0aaa0000000000000', groupName: ASG_GROUP, launchTemplateId: 'lt-07a0b5cea4ece8ffd' },
    ]);
  });

  it('reads items given as an array, with instanceIds as an array, a string or {item: [...]}', () => {
    // Prepare
    const record = createFleet({
      item: [
        { instanceIds: { item: ['i-01000000000000000', 'i-02000000000000000'] } },
        { instanceIds: 'i-03000000000000000' },
        { instanceIds: ['i-04000000000000000'] },
        { lifecycle: 'spot' },
      ],
    });
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances.map((i) => i.instanceId)).toEqual([
      'i-01000000000000000',
      'i-02000000000000000',
      'i-03000000000000000',
      'i-04000000000000000',
    ]);
  });

  it('reads the group from a fleet tag specification with a lone Tag object', () => {
    // Prepare
    const record = createFleet(lone);
    record['requestParameters']['CreateFleetRequest']['TagSpecification'] = [
      { ResourceType: 'volume', Tag: { Key: 'aws:autoscaling:groupName', Value: 'wrong' } },
      { ResourceType: 'fleet', Tag: { Key: 'aws:autoscaling:groupName', Value: 'fleet-asg' } },
    ];
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances[0]?.groupName).toBe('fleet-asg');
  });

  it('takes the AMI from the item overrides when the request overrode it', () => {
    // Prepare
    const record = createFleet({
      item: {
        instanceIds: { item: 'i-0aaa0000000000000' },
        launchTemplateAndOverrides: {
          overrides: { imageId: 'ami-0ee0000000000000e', instanceType: 'm5.large' },
        },
      },
    });
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances[0]?.imageId).toBe('ami-0ee0000000000000e');
  });

  it('counts the launched instances of a partial success (errorSet beside them)', () => {
    // Prepare
    const record = createFleet(
      { item: { instanceIds: { item: ['i-01000000000000000', 'i-02000000000000000'] } } },
      { errorSet: { item: { errorCode: 'InsufficientInstanceCapacity', errorMessage: 'no capacity' } } },
    );
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances.map((i) => i.instanceId)).toEqual(['i-01000000000000000', 'i-02000000000000000']);
  });

  it('reports an instant fleet whose errorSet holds every failure as a failed attempt', () => {
    // Prepare
    const record = createFleet(undefined, {
      errorSet: { item: [{ errorCode: 'InsufficientInstanceCapacity' }, { errorCode: 'Unsupported' }] },
    });
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toMatchObject(failedFleet('InsufficientInstanceCapacity'));
  });

  it('reports a failed CreateFleet call (errorCode) as a failed attempt with its group', () => {
    // Prepare
    const record = createFleet(lone);
    record['errorCode'] = 'Client.DryRunOperation';
    record['responseElements'] = null;
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toMatchObject(failedFleet('Client.DryRunOperation'));
  });

  it('does not count a truncated CreateFleet: its instances are counted from their RunInstances records', () => {
    // Prepare
    const omitted = createFleet(lone);
    omitted['responseElements'] = { omitted: true, originalSize: 400_000 };
    const missing = createFleet(lone);
    missing['responseElements'] = { requestId: 'x' };
    // Act
    const parsed = [parseEvent(omitted), parseEvent(missing)];
    // Assess
    for (const p of parsed) {
      expect(p).toStrictEqual(notLaunch(NOT_LAUNCH_REASON.fleetTruncated, false));
    }
  });

  it('reports a maintain fleet that lists no instance as not a launch', () => {
    // Prepare
    const record = createFleet(undefined);
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toStrictEqual(notLaunch(NOT_LAUNCH_REASON.fleetWithoutInstances, false));
  });

  it('ignores GameLift CreateFleet', () => {
    // Prepare
    const record = createFleet(lone);
    record['eventSource'] = 'gamelift.amazonaws.com';
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toMatchObject({ kind: 'not-launch', malformed: false });
  });
});
