import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../../fake-cloud/support/clock';
import {
  AssumeRoleError,
  assumeRoleCredentials,
  MemberAccounts,
  memberRoleArn,
} from '../../../lambda/adapters/member-credentials';

const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::222222222222:role/LaunchLoopGuardMember';

function session(key: string, expiresAt: number) {
  return {
    Credentials: {
      AccessKeyId: key,
      SecretAccessKey: 's',
      SessionToken: 't',
      Expiration: new Date(expiresAt),
    },
  };
}

beforeEach(() => sts.reset());

describe('assumeRoleCredentials', () => {
  it('assumes the role once and shares the session until five minutes before it expires', async () => {
    // Prepare
    let now = T0;
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(session('K1', T0 + 60 * 60_000))
      .resolvesOnce(session('K2', T0 + 120 * 60_000));
    const provider = assumeRoleCredentials(new STSClient({ region: 'eu-west-1' }), ROLE, 'llg', () => now);
    // Act
    const [a, b] = await Promise.all([provider(), provider()]);
    now = T0 + 54 * 60_000;
    const c = await provider();
    now = T0 + 56 * 60_000;
    const d = await provider();
    // Assess
    expect([a.accessKeyId, b.accessKeyId, c.accessKeyId, d.accessKeyId]).toEqual(['K1', 'K1', 'K1', 'K2']);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ROLE, RoleSessionName: 'llg' });
  });

  it('turns a refusal into AssumeRoleError naming the role, with the cause', async () => {
    // Prepare
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    sts.on(AssumeRoleCommand).rejects(denied);
    const provider = assumeRoleCredentials(new STSClient({ region: 'eu-west-1' }), ROLE, 'llg');
    // Act
    const error = await provider().catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(AssumeRoleError);
    expect((error as Error).message).toContain(ROLE);
    expect((error as Error).cause).toBe(denied);
  });
});

describe('MemberAccounts', () => {
  it('gives member accounts the role and the home account its own credentials', () => {
    // Prepare
    const members = new MemberAccounts(new STSClient({ region: 'eu-west-1' }), {
      memberRoleArn: 'arn:aws:iam::{account}:role/LaunchLoopGuardMember',
      homeAccount: '999999999999',
    });
    // Act
    const home = members.client('999999999999', 'eu-west-1', (o) => o);
    const member = members.client('222222222222', 'us-east-1', (o) => o);
    // Assess
    expect(home).toEqual({ region: 'eu-west-1' });
    expect(member.region).toBe('us-east-1');
    expect(member.credentials).toBe(members.credentials('222222222222'));
  });

  it('refuses what is not an account id', () => {
    expect(() => memberRoleArn('arn:aws:iam::{account}:role/R', '12345')).toThrow(AssumeRoleError);
  });
});
