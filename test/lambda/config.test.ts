import { describe, expect, it } from 'vitest';
import { ENV, loadConfig } from '../../lambda/config';
import { ConfigError } from '../../lambda/core/errors';

const BASE = { [ENV.tableName]: 'guard', [ENV.topicArn]: 'arn:aws:sns:us-east-1:111122223333:guard' };
const MEMBER_ROLE = 'arn:aws:iam::{account}:role/LaunchLoopGuardMember';
/** A central organization guard's settings. */
const CENTRAL = { ...BASE, [ENV.memberRoleArn]: MEMBER_ROLE, [ENV.homeAccount]: '999999999999' };

describe('loadConfig', () => {
  it('fills the documented defaults', () => {
    // Act
    const config = loadConfig(BASE);
    // Assess
    expect(config).toEqual({
      tableName: 'guard',
      topicArn: 'arn:aws:sns:us-east-1:111122223333:guard',
      windowMs: 3_600_000,
      maxWindowMs: 86_400_000,
      asgThreshold: 10,
      amiThreshold: 50,
      dryRun: false,
      suspendProcesses: ['Launch'],
      amiAction: 'alert',
      amiMaxGroups: 5,
      churnShare: 0.5,
      failedStreak: 4,
      autoResume: undefined,
      amiChangeAlerts: 'family',
    });
  });

  it('reads the resumer function the alerts name, and refuses half of it', () => {
    // Act
    const config = loadConfig({
      ...BASE,
      [ENV.resumerFunction]: 'llg-resumer',
      [ENV.resumerRegion]: 'eu-west-1',
    });
    // Assess
    expect(config.resumer).toEqual({ functionName: 'llg-resumer', region: 'eu-west-1' });
    expect(() => loadConfig({ ...BASE, [ENV.resumerFunction]: 'llg-resumer' })).toThrow(
      /LLG_RESUMER_FUNCTION and LLG_RESUMER_REGION must be set together/,
    );
  });

  it('reads every value it is given', () => {
    const config = loadConfig({
      ...BASE,
      [ENV.chatTopicArn]: 'arn:aws:sns:us-east-1:111122223333:chat',
      [ENV.window]: '30m',
      [ENV.maxWindow]: '6h',
      [ENV.asgThreshold]: '4',
      [ENV.amiThreshold]: '20',
      [ENV.dryRun]: 'true',
      [ENV.suspendProcesses]: 'Launch, AZRebalance',
      [ENV.amiAction]: 'suspend',
      [ENV.amiMaxGroups]: '2',
      [ENV.churnShare]: 'off',
      [ENV.amiChangeAlerts]: 'all',
      [ENV.autoResume]: JSON.stringify({
        baseMs: 900_000,
        maxMs: 14_400_000,
        maxTrips: 4,
        scheduleGroup: 'g',
        schedulerRoleArn: 'arn:aws:iam::1:role/r',
        targetArn: 'arn:aws:lambda:us-east-1:1:function:f',
      }),
    });
    expect(config).toMatchObject({
      chatTopicArn: 'arn:aws:sns:us-east-1:111122223333:chat',
      windowMs: 1_800_000,
      maxWindowMs: 21_600_000,
      asgThreshold: 4,
      amiThreshold: 20,
      dryRun: true,
      suspendProcesses: ['Launch', 'AZRebalance'],
      amiAction: 'suspend',
      amiMaxGroups: 2,
      churnShare: undefined,
      amiChangeAlerts: 'all',
      autoResume: { baseMs: 900_000, maxTrips: 4 },
    });
  });

  it.each([
    [{ [ENV.tableName]: '' }, ENV.tableName],
    [{ [ENV.topicArn]: undefined }, ENV.topicArn],
    [{ [ENV.window]: 'an hour' }, ENV.window],
    [{ [ENV.window]: '48h' }, ENV.window],
    [{ [ENV.window]: '30s' }, ENV.window],
    [{ [ENV.asgThreshold]: '0' }, ENV.asgThreshold],
    [{ [ENV.amiThreshold]: '2.5' }, ENV.amiThreshold],
    [{ [ENV.dryRun]: 'yes' }, ENV.dryRun],
    [{ [ENV.suspendProcesses]: 'Launch,Explode' }, ENV.suspendProcesses],
    [{ [ENV.amiAction]: 'terminate' }, ENV.amiAction],
    [{ [ENV.churnShare]: '1.5' }, ENV.churnShare],
    [{ [ENV.autoResume]: '{not json' }, ENV.autoResume],
    [{ [ENV.autoResume]: '{"baseMs":10}' }, ENV.autoResume],
    [
      { [ENV.memberRoleArn]: 'arn:aws:iam::111111111111:role/R', [ENV.homeAccount]: '999999999999' },
      ENV.memberRoleArn,
    ],
    [{ [ENV.memberRoleArn]: 'arn:aws:iam::{account}:role/R' }, ENV.homeAccount],
    [
      {
        [ENV.memberRoleArn]: 'arn:aws:iam::{account}:role/R',
        [ENV.homeAccount]: '999999999999',
        [ENV.targets]: 'ou-ab12-cdef3456,222222222222',
      },
      ENV.targets,
    ],
    [
      { [ENV.operatorRoleArn]: 'arn:aws:iam::111111111111:role/LaunchLoopGuardOperator' },
      ENV.operatorRoleArn,
    ],
    [{ [ENV.amiChangeAlerts]: 'family-only' }, ENV.amiChangeAlerts],
  ])('fails at once with a message naming the variable: %o', (env, name) => {
    expect(() => loadConfig({ ...BASE, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...BASE, ...env })).toThrow(name);
  });

  it('reads the central organization settings when both are set', () => {
    const config = loadConfig(CENTRAL);
    expect(config.organization).toEqual({ memberRoleArn: MEMBER_ROLE, homeAccount: '999999999999' });
  });

  it('reads the target OUs (central guard) and the operator role template (central resumer)', () => {
    const config = loadConfig({
      ...CENTRAL,
      [ENV.targets]: 'ou-ab12-cdef3456, r-ab12',
      [ENV.operatorRoleArn]: 'arn:aws:iam::{account}:role/LaunchLoopGuardOperator',
    });
    expect(config.organization?.targets).toEqual(['ou-ab12-cdef3456', 'r-ab12']);
    expect(config.operatorRoleArn).toBe('arn:aws:iam::{account}:role/LaunchLoopGuardOperator');
    expect(loadConfig(BASE).operatorRoleArn).toBeUndefined();
  });
});
