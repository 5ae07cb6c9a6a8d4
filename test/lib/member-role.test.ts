import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS_FOR as AUTO_SCALING } from '../../lambda/adapters/asg-suspender';
import { PERMISSIONS as BILLING } from '../../lambda/adapters/ec2-billing';
import { PERMISSIONS as IMAGES } from '../../lambda/adapters/ec2-diagnosis';
import { PERMISSIONS as INSTANCES } from '../../lambda/adapters/ec2-instances';
import { PERMISSIONS as ECS } from '../../lambda/adapters/ecs-registry';
import { PERMISSIONS as IAM_ROLE } from '../../lambda/adapters/iam-role';
import { PERMISSIONS as LAUNCH_TEMPLATE } from '../../lambda/adapters/launch-template';
import { GUARD_PERMISSIONS, MEMBER_ACCOUNT_PERMISSIONS } from '../../lambda/permissions';
import {
  GuardMemberRolesStack,
  isReadOnly,
  MEMBER_ROLE_ACTIONS,
  MEMBER_ROLE_NAME,
} from '../../lib/member-role';

/** The member role's actions as synthesized, with the resources of each. */
/** The member role's Allow statements (its Deny statements take permissions away; see security.test.ts). */
function memberRoleStatements(): { actions: string[]; resource: unknown }[] {
  const stack = new GuardMemberRolesStack(new App(), 'MemberRoles', {
    organizationId: 'o-abcdefghij',
    centralAccount: '999999999999',
    nag: false,
  });
  const role = Object.values(
    Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { RoleName: MEMBER_ROLE_NAME } }),
  )[0];
  const statements = role?.Properties.Policies.flatMap(
    (p: {
      PolicyDocument: { Statement: { Effect: string; Action: string | string[]; Resource: unknown }[] };
    }) => p.PolicyDocument.Statement,
  ) as { Effect: string; Action: string | string[]; Resource: unknown }[];
  return statements
    .filter((s) => s.Effect === 'Allow')
    .map((s) => ({ actions: [s.Action].flat(), resource: s.Resource }));
}

describe('member role (central organization mode)', () => {
  it("holds exactly the actions of the adapters that read or act in a group's own account", () => {
    // Prepare: the lists beside the adapters themselves, not the gathered ones
    const adapters = [
      ...AUTO_SCALING.guard,
      ...IMAGES,
      ...INSTANCES,
      ...ECS,
      ...LAUNCH_TEMPLATE,
      ...IAM_ROLE,
      ...BILLING,
    ];
    // Act
    const synthesized = memberRoleStatements().flatMap((s) => s.actions);
    // Assess
    expect([...new Set(synthesized)].sort()).toEqual([...new Set(adapters)].sort());
    expect(MEMBER_ROLE_ACTIONS).toEqual(MEMBER_ACCOUNT_PERMISSIONS);
    // Everything the member role may do, the guard function may do in its own account.
    expect(MEMBER_ACCOUNT_PERMISSIONS.filter((a) => !GUARD_PERMISSIONS.includes(a))).toEqual([]);
  });

  it('only reads, except suspending and tagging groups of its own account', () => {
    // Act
    const statements = memberRoleStatements();
    // Assess
    const writes = statements.flatMap((s) => s.actions).filter((a) => !isReadOnly(a));
    expect(writes.sort()).toEqual(['autoscaling:CreateOrUpdateTags', 'autoscaling:SuspendProcesses']);
    for (const s of statements.filter((s) => s.actions.some((a) => !isReadOnly(a)))) {
      expect(s.actions.every((a) => !isReadOnly(a))).toBe(true);
      expect(JSON.stringify(s.resource)).toContain(':autoScalingGroup:*:autoScalingGroupName/*');
    }
  });

  it('tells reads from writes by the action', () => {
    expect(
      ['ecs:ListContainerInstances', 'iam:GetInstanceProfile', 'iam:SimulatePrincipalPolicy'].map(isReadOnly),
    ).toEqual([true, true, true]);
    expect(
      ['autoscaling:SuspendProcesses', 'iam:PassRole', 'ec2:TerminateInstances'].map(isReadOnly),
    ).toEqual([false, false, false]);
  });

  it("is listed in full in the README's Organizations section", () => {
    // Prepare
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = /<!-- member-role-actions -->\n([\s\S]*?)<!-- \/member-role-actions -->/.exec(readme)?.[1];
    // Act
    const listed = [...(block ?? '').matchAll(/^- `([a-z0-9-]+:[A-Za-z]+)`/gm)].map((m) => m[1]);
    // Assess
    expect(listed).toEqual([...MEMBER_ROLE_ACTIONS]);
  });
});
