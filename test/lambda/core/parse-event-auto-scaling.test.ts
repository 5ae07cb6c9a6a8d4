/** parseEvent on Auto Scaling's own events (launch and termination, successful or not). */
import { describe, expect, it } from 'vitest';
import { NOT_LAUNCH_REASON, parseEvent } from '../../../lambda/core/parse-event';
import { copy, type Json, notLaunch, parseEdited } from './parse-event-records';

describe('parseEvent on Auto Scaling events', () => {
  it('reads EC2 Instance Terminate Successful as a termination with its group', () => {
    // Prepare
    const event = copy('eventbridge-asg-launch-successful.aws-lambda-go.json');
    event['detail-type'] = 'EC2 Instance Terminate Successful';
    event['time'] = '2024-05-01T10:00:00Z';
    // Act
    const parsed = parseEvent(event);
    // Assess
    expect(parsed).toStrictEqual({
      kind: 'terminate',
      account: '123456789012',
      region: 'us-west-2',
      eventId: '12345678-1234-1234-1234-123456789012',
      eventTime: Date.UTC(2024, 4, 1, 10, 0, 0),
      caller: { invokedBy: 'autoscaling.amazonaws.com' },
      instanceIds: ['i-1234567890abcdef0'],
      groupName: 'my-auto-scaling-group',
    });
  });

  /** The event's own time in the cases below. */
  const EVENT_TIME = Date.UTC(2024, 4, 1, 10, 0, 0);

  it.each([
    [
      'the activity StartTime, a boot before the event',
      '2024-05-01T09:58:30Z',
      Date.UTC(2024, 4, 1, 9, 58, 30),
    ],
    ['the event time when StartTime is later than the event', '2024-05-01T10:00:30Z', EVENT_TIME],
    ['the event time when StartTime is over an hour before it', '2024-05-01T08:59:59Z', EVENT_TIME],
    ['the event time when StartTime is a placeholder', '1970-01-01T00:00:00Z', EVENT_TIME],
    ['the event time when StartTime is not a time', 'soon', EVENT_TIME],
  ])('counts an Auto Scaling launch from %s', (_, start, expected) => {
    // Prepare: the event comes when the instance is InService; its activity started at the launch
    const event = copy('eventbridge-asg-launch-successful.aws-lambda-go.json');
    event['time'] = '2024-05-01T10:00:00Z';
    event['detail']['StartTime'] = start;
    // Act
    const parsed = parseEvent(event);
    // Assess
    expect(parsed).toMatchObject({ kind: 'launch', eventTime: expected });
  });

  it('uses LaunchUnsuccessful when a failed launch has no status code', () => {
    // Prepare
    const event = copy('eventbridge-asg-launch-unsuccessful.c7n.json');
    delete event['detail']['StatusCode'];
    // Act
    const parsed = parseEvent(event);
    // Assess
    expect(parsed).toMatchObject({
      kind: 'failed',
      errorCode: 'LaunchUnsuccessful',
      groupName: 'CustodianTest',
    });
  });

  it.each([
    ['EC2InstanceId is empty', (e: Json) => (e['detail']['EC2InstanceId'] = '')],
    ['the group name is missing', (e: Json) => delete e['detail']['AutoScalingGroupName']],
    ['the event id is missing', (e: Json) => delete e['id']],
    ['the time is missing', (e: Json) => delete e['time']],
    ['detail is a string', (e: Json) => (e['detail'] = 'x')],
  ])('reports a launch event as malformed when %s', (_, mutate) => {
    // Act
    const parsed = parseEdited('eventbridge-asg-launch-successful.aws-lambda-go.json', mutate);
    // Assess
    expect(parsed).toMatchObject({ kind: 'not-launch', malformed: true });
  });

  it('ignores other Auto Scaling events', () => {
    // Prepare
    const event = copy('eventbridge-asg-launch-successful.aws-lambda-go.json');
    event['detail-type'] = 'EC2 Instance-launch Lifecycle Action';
    // Act
    const parsed = parseEvent(event);
    // Assess
    expect(parsed).toStrictEqual(notLaunch(NOT_LAUNCH_REASON.otherAutoScalingEvent, false));
  });
});
