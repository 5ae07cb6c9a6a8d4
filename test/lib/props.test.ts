import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { type LaunchLoopGuardProps, resolveProps } from '../../lib/props';
import { guardStack } from './stacks';

describe('resolveProps', () => {
  it('fills the documented defaults', () => {
    expect(resolveProps({})).toEqual({
      // The group rules
      windowMs: 3_600_000,
      asgThreshold: 10,
      churnShare: 0.5,
      failedStreak: 4,
      suspendProcesses: ['Launch'],
      // The AMI rules
      amiThreshold: 50,
      amiAction: 'alert',
      amiMaxGroups: 5,
      amiChangeAlerts: 'family',
      // The deployment
      dryRun: false,
      emails: [],
      trailRetentionDays: 90,
      controlTower: false,
      logRetention: 365,
    });
  });

  it.each<{ props: LaunchLoopGuardProps; message: RegExp }>([
    { props: { window: Duration.seconds(30) }, message: /window .*got "30 seconds"/ },
    { props: { window: Duration.hours(25) }, message: /window .*got "1 day 1 hour"/ },
    { props: { window: Duration.millis(90_500) }, message: /window must be whole seconds/ },
    { props: { asgThreshold: 0 }, message: /asgThreshold must be a whole number from 1 to 100000, got 0/ },
    { props: { asgThreshold: 2.5 }, message: /asgThreshold .*got 2.5/ },
    { props: { amiThreshold: -1 }, message: /amiThreshold .*got -1/ },
    { props: { amiMaxGroups: 101 }, message: /amiMaxGroups .*got 101/ },
    { props: { suspendProcesses: [] }, message: /suspendProcesses .*got \[\]/ },
    {
      props: { suspendProcesses: ['Launch', 'Lunch'] },
      message: /suspendProcesses .*got \["Launch","Lunch"\]/,
    },
    {
      props: { amiAction: 'terminate' as never },
      message: /amiAction must be "alert" or "suspend", got "terminate"/,
    },
    { props: { churnShare: 0 }, message: /churnShare .*got 0/ },
    {
      props: { vpcSubnetIds: ['subnet-0123456789abcdef0'] },
      message: /vpcSecurityGroupIds or vpcId must be given/,
    },
    {
      props: { vpcSubnetIds: ['subnet-1'], vpcId: 'vpc-0123456789abcdef0' },
      message: /vpcSubnetIds .*got "subnet-1"/,
    },
    {
      props: { vpcSubnetIds: ['subnet-0123456789abcdef0'], vpcSecurityGroupIds: ['default'] },
      message: /vpcSecurityGroupIds must hold security group .*got "default"/,
    },
    { props: { vpcSecurityGroupIds: ['sg-0123456789abcdef0'] }, message: /vpcSubnetIds must be given/ },
    { props: { vpcId: 'vpc-0123456789abcdef0' }, message: /vpcSubnetIds must be given/ },
    {
      props: { logRetention: 366 as never },
      message: /logRetention must be one of logs.RetentionDays, got 366/,
    },
    {
      props: { amiChangeAlerts: 'some' as never },
      message: /amiChangeAlerts must be "family", "all" or "off", got "some"/,
    },
    { props: { churnShare: 1.5 }, message: /churnShare .*got 1.5/ },
    { props: { churnShare: 'on' as never }, message: /churnShare .*got "on"/ },
    { props: { emails: ['oncall@example.com', 'not-an-address'] }, message: /emails .*got "not-an-address"/ },
    {
      props: { slack: { chatbot: { workspaceId: 'my workspace', channelId: 'C0123ABCD' } } },
      message: /slack.chatbot.workspaceId .*got "my workspace"/,
    },
    {
      props: { slack: { chatbot: { workspaceId: 'T0123ABCD', channelId: '#alerts' } } },
      message: /slack.chatbot.channelId .*got "#alerts"/,
    },
    {
      props: { trailRetention: Duration.days(30) },
      message: /trailRetention applies only with createTrail: true/,
    },
    {
      props: { createTrail: true, trailRetention: Duration.hours(36) },
      message: /trailRetention must be a whole number of days/,
    },
    { props: { noLaunchEventsAlarmHours: 0 }, message: /noLaunchEventsAlarmHours .*got 0/ },
    { props: { noLaunchEventsAlarmHours: 169 }, message: /noLaunchEventsAlarmHours .*got 169/ },
    { props: { reservedConcurrency: 0 }, message: /reservedConcurrency .*got 0/ },
  ])('refuses $props naming the prop and the value', ({ props, message }) => {
    expect(() => resolveProps(props)).toThrow(message);
  });

  it('accepts the bounds', () => {
    expect(resolveProps({ window: Duration.minutes(1) }).windowMs).toBe(60_000);
    expect(resolveProps({ window: Duration.hours(24) }).windowMs).toBe(86_400_000);
    expect(resolveProps({ churnShare: 1 }).churnShare).toBe(1);
    expect(resolveProps({ noLaunchEventsAlarmHours: 168 }).noLaunchEventsAlarmHours).toBe(168);
  });

  it('fails the construct at synth before creating anything', () => {
    expect(() => guardStack({ asgThreshold: 0 })).toThrow(/LaunchLoopGuard: asgThreshold/);
  });
});
