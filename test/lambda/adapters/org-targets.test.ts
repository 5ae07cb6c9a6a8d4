import { ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClients } from '../../../fake-cloud/support/sdk-mocks';
import { awsCause, classifyAwsError } from '../../../lambda/adapters/aws-error';
import { AssumeRoleError, MemberAccounts } from '../../../lambda/adapters/member-credentials';
import { OrganizationsTargets } from '../../../lambda/adapters/org-targets';
import { SuspendError } from '../../../lambda/core/errors';

const [sts, orgs] = mockClients(STSClient, OrganizationsClient);
const HOME = '111111111111';
const TARGET = '222222222222';
const OUTSIDER = '333333333333';
const TARGET_OU = 'ou-ab12-targets1';
const CHILD_OU = 'ou-ab12-childou1';
const OTHER_OU = 'ou-ab12-sandbox1';
const ROOT = 'r-ab12';
const SETTINGS = { memberRoleArn: 'arn:aws:iam::{account}:role/LaunchLoopGuardMember', homeAccount: HOME };
const denied = () =>
  Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' });

/** The organization: TARGET sits in CHILD_OU under TARGET_OU; OUTSIDER in OTHER_OU; both under ROOT. */
function organization(): void {
  orgs
    .on(ListParentsCommand, { ChildId: TARGET })
    .resolves({ Parents: [{ Id: CHILD_OU, Type: 'ORGANIZATIONAL_UNIT' }] });
  orgs
    .on(ListParentsCommand, { ChildId: CHILD_OU })
    .resolves({ Parents: [{ Id: TARGET_OU, Type: 'ORGANIZATIONAL_UNIT' }] });
  orgs.on(ListParentsCommand, { ChildId: TARGET_OU }).resolves({ Parents: [{ Id: ROOT, Type: 'ROOT' }] });
  orgs
    .on(ListParentsCommand, { ChildId: OUTSIDER })
    .resolves({ Parents: [{ Id: OTHER_OU, Type: 'ORGANIZATIONAL_UNIT' }] });
  orgs.on(ListParentsCommand, { ChildId: OTHER_OU }).resolves({ Parents: [{ Id: ROOT, Type: 'ROOT' }] });
}

function members(targets: readonly string[]): MemberAccounts {
  const lookup = new OrganizationsTargets(new OrganizationsClient({ region: 'us-east-1' }), targets);
  return new MemberAccounts(new STSClient({ region: 'eu-west-1' }), SETTINGS, Date.now, (a) =>
    lookup.isTarget(a),
  );
}

/** What the first use of an account's credentials throws, wrapped as an adapter wraps it. */
async function denial(
  m: MemberAccounts,
  account: string,
): Promise<{ error: unknown; wrapped: SuspendError }> {
  const error = await m.credentials(account)!().catch((e: unknown) => e);
  return { error, wrapped: new SuspendError('DescribeAutoScalingGroups failed', awsCause(error)) };
}

beforeEach(() => {
  sts.reset();
  orgs.reset();
});

describe('OrganizationsTargets', () => {
  it('finds an account in a target OU at any depth, and not one whose path reaches the root elsewhere', async () => {
    // Prepare
    organization();
    const targets = new OrganizationsTargets(new OrganizationsClient({ region: 'us-east-1' }), [TARGET_OU]);
    // Act
    const [inside, outside, again] = [
      await targets.isTarget(TARGET),
      await targets.isTarget(OUTSIDER),
      await targets.isTarget(OUTSIDER),
    ];
    // Assess: the second answer for OUTSIDER came from the cache.
    expect([inside, outside, again]).toEqual([true, false, false]);
    expect(orgs).toHaveReceivedCommandTimes(ListParentsCommand, 4);
  });

  it('counts every account as a target under a target root, without asking', async () => {
    const targets = new OrganizationsTargets(new OrganizationsClient({ region: 'us-east-1' }), [ROOT]);
    expect(await targets.isTarget(OUTSIDER)).toBe(true);
    expect(orgs.calls()).toHaveLength(0);
  });

  it('answers undefined when Organizations fails, and does not cache that', async () => {
    // Prepare
    orgs
      .on(ListParentsCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .resolves({ Parents: [{ Id: ROOT, Type: 'ROOT' }] });
    const targets = new OrganizationsTargets(new OrganizationsClient({ region: 'us-east-1' }), [TARGET_OU]);
    // Act / Assess
    expect(await targets.isTarget(OUTSIDER)).toBeUndefined();
    expect(await targets.isTarget(OUTSIDER)).toBe(false);
  });
});

describe('a denied AssumeRole (central mode, issue 20 item 4)', () => {
  it('is permanent for an account outside the target OUs: logged, counted and dropped, no GuardBlind', async () => {
    // Prepare
    organization();
    sts.on(AssumeRoleCommand).rejects(denied());
    // Act
    const { error, wrapped } = await denial(members([TARGET_OU]), OUTSIDER);
    // Assess
    expect(error).toBeInstanceOf(AssumeRoleError);
    expect((error as AssumeRoleError).failure).toBe('permanent');
    expect((error as Error).message).toContain("not in the guard's target OUs");
    expect(classifyAwsError(error)).toBe('permanent');
    expect(classifyAwsError(wrapped)).toBe('permanent');
  });

  it('stays blind for a target account (the guard cannot see an account it must watch)', async () => {
    // Prepare
    organization();
    sts.on(AssumeRoleCommand).rejects(denied());
    // Act
    const { error, wrapped } = await denial(members([TARGET_OU]), TARGET);
    // Assess
    expect(classifyAwsError(error)).toBe('blind');
    expect(classifyAwsError(wrapped)).toBe('blind');
  });

  it('stays blind when Organizations cannot say, or when no targets are configured', async () => {
    // Prepare
    orgs
      .on(ListParentsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    sts.on(AssumeRoleCommand).rejects(denied());
    // Act
    const unknown = await denial(members([TARGET_OU]), OUTSIDER);
    const unconfigured = await new MemberAccounts(
      new STSClient({ region: 'eu-west-1' }),
      SETTINGS,
    ).credentials(OUTSIDER)!().catch((e: unknown) => e);
    // Assess
    expect(classifyAwsError(unknown.error)).toBe('blind');
    expect(classifyAwsError(unconfigured)).toBe('blind');
  });

  it('does not ask Organizations when STS fails for another reason (throttling stays transient)', async () => {
    // Prepare
    organization();
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    // Act
    const { error } = await denial(members([TARGET_OU]), OUTSIDER);
    // Assess
    expect(classifyAwsError(error)).toBe('transient');
    expect(orgs.calls()).toHaveLength(0);
  });
});
