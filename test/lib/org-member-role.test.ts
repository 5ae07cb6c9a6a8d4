/**
 * The member role of organization mode central: exactly the guard's calls, trusted by the guard's
 * role within the organization.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MEMBER_ROLE_NAME, OPERATOR_ROLE_NAME } from '../../lib/member-role';
import type { CentralGuardStack } from '../../lib/org-central';
import { accountIamArn, BASE, ORG, synth } from './org-support';

describe('organization mode central (the default)', () => {
  const { built } = synth(BASE);
  const central = built.main as CentralGuardStack;

  it("gives the member role exactly the guard's calls, trusted by the guard's role within the organization", () => {
    const roles = Template.fromStack(central.memberRolesTemplate);
    const member = Object.values(
      roles.findResources('AWS::IAM::Role', { Properties: { RoleName: MEMBER_ROLE_NAME } }),
    )[0];
    expect(member?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: { Ref: 'GuardRoleArn' } },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    ]);
    const groupArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':autoscaling:*:',
          { Ref: 'AWS::AccountId' },
          ':autoScalingGroup:*:autoScalingGroupName/*',
        ],
      ],
    };
    expect(member?.Properties.Policies).toEqual([
      {
        PolicyName: 'Guard',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'ReadOnlyDescribe',
              Effect: 'Allow',
              // What a single-account guard reads in its own account (issue 23): ECS registration,
              // EC2 instances, launch templates and the instance role's check besides Auto Scaling.
              Action: [
                'autoscaling:DescribeAutoScalingGroups',
                'autoscaling:DescribeLifecycleHooks',
                'autoscaling:DescribeScalingActivities',
                'autoscaling:DescribeWarmPool',
                'ec2:DescribeImages',
                // The fate of a launch outside any group: its status checks (issue 24).
                'ec2:DescribeInstanceStatus',
                'ec2:DescribeInstances',
                'ec2:DescribeLaunchTemplateVersions',
                // The cost line's Spot prices, in the member account's own zones (issue 22).
                'ec2:DescribeSpotPriceHistory',
                'ecs:DescribeCapacityProviders',
                'ecs:DescribeClusters',
                'ecs:DescribeContainerInstances',
                'ecs:ListClusters',
                'ecs:ListContainerInstances',
              ],
              Resource: '*',
            },
            // Behaviour changed (issue 20): tag writes limited to the guard's keys, and never a
            // suspension of an exempt group.
            {
              Sid: 'AutoScalingGroupsOfThisAccount',
              Effect: 'Allow',
              Action: 'autoscaling:SuspendProcesses',
              Resource: groupArn,
            },
            {
              Sid: 'GuardTagsOnly',
              Effect: 'Allow',
              Action: 'autoscaling:CreateOrUpdateTags',
              Resource: groupArn,
              Condition: {
                'ForAllValues:StringLike': { 'aws:TagKeys': ['launch-loop-guard:*'] },
                Null: { 'aws:TagKeys': 'false' },
              },
            },
            {
              Sid: 'NeverSuspendExemptGroups',
              Effect: 'Deny',
              Action: 'autoscaling:SuspendProcesses',
              Resource: '*',
              Condition: {
                StringEqualsIgnoreCase: { 'autoscaling:ResourceTag/launch-loop-guard:exempt': 'true' },
              },
            },
            // The instance-role check reads this account's profiles and roles only (issue 20), as
            // the guard's own role does, and never simulates a role AWS reserves.
            {
              Sid: 'InstanceProfilesOfThisAccount',
              Effect: 'Allow',
              Action: 'iam:GetInstanceProfile',
              Resource: accountIamArn(':instance-profile/*'),
            },
            {
              Sid: 'SimulateRolesOfThisAccount',
              Effect: 'Allow',
              Action: 'iam:SimulatePrincipalPolicy',
              Resource: accountIamArn(':role/*'),
            },
            {
              Sid: 'NeverSimulateReservedRoles',
              Effect: 'Deny',
              Action: 'iam:SimulatePrincipalPolicy',
              Resource: [accountIamArn(':role/aws-service-role/*'), accountIamArn(':role/aws-reserved/*')],
            },
          ],
        },
      },
    ]);
    const operator = Object.values(
      roles.findResources('AWS::IAM::Role', { Properties: { RoleName: OPERATOR_ROLE_NAME } }),
    )[0];
    // Behaviour changed (issue 20): named principals (a parameter), not the whole central account.
    expect(operator?.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      AWS: { Ref: 'OperatorPrincipalArns' },
    });
    expect(
      operator?.Properties.Policies[0].PolicyDocument.Statement.flatMap(
        (s: { Action: string[] }) => s.Action,
      ),
    ).toEqual([
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:DescribeWarmPool',
      'autoscaling:ResumeProcesses',
      'autoscaling:DeleteTags',
    ]);
  });
});
