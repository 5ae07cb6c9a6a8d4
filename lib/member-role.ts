/**
 * The member account's side of the central guard (`orgMode=central`): two narrow roles, deployed
 * to every member account by a stack set.
 *
 * - The member role, assumed by the central guard function only: it reads what a single-account
 *   guard reads in its own account (groups, ECS registration, instances, AMIs, launch templates,
 *   instance profiles and a simulation of the instance role's policy), suspends processes and
 *   writes the guard's tags. It cannot resume, delete, stop, terminate or change anything else.
 * - The operator role, assumed by named principals of the central account only (the central
 *   resumer function and the people given as `orgOperatorPrincipals`, for `status` and `resume
 *   --account`): it reads groups, resumes processes and removes the guard's tags.
 */
import { Aspects, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { PERMISSIONS_FOR as AUTO_SCALING } from '../lambda/adapters/asg-suspender';
import { MEMBER_ACCOUNT_PERMISSIONS } from '../lambda/permissions';
import { autoScalingStatements, instanceRoleReadStatements } from './least-privilege';

/** The member role's name in every member account. */
export const MEMBER_ROLE_NAME = 'LaunchLoopGuardMember';
/** The operator role's name in every member account. */
export const OPERATOR_ROLE_NAME = 'LaunchLoopGuardOperator';

/**
 * What the central guard does in a member account: what a single-account guard does in its own
 * (Auto Scaling, ECS registration, EC2 instances and images, the launch template and the
 * instance role's check), from the adapters' own lists (`lambda/permissions.ts`).
 */
export const MEMBER_ROLE_ACTIONS: readonly string[] = MEMBER_ACCOUNT_PERMISSIONS;
/** What `status` and `resume --account` do in a member account. */
export const OPERATOR_ROLE_ACTIONS: readonly string[] = [
  ...new Set([...AUTO_SCALING.resume, ...AUTO_SCALING.status]),
].sort();

/** Props of {@link GuardMemberRolesStack}. */
export interface GuardMemberRolesStackProps extends StackProps {
  /** The organization: the roles trust principals of this organization only. */
  readonly organizationId: string;
  /** The account of the central guard (people there may assume the operator role). */
  readonly centralAccount: string;
  /**
   * Run cdk-nag's AwsSolutionsChecks on the stack.
   * @default true
   */
  readonly nag?: boolean;
}

/** Whether an action only reads (Describe, List, Get, and IAM's policy simulation). */
export { isReadOnly } from './least-privilege';

/**
 * Reads on `*` (no resource-level permissions for most), the instance-role check's IAM reads on
 * this account's profiles and roles, group writes on this account's groups, tag writes on the
 * guard's keys only, and no suspension of an exempt group (`least-privilege.ts`).
 */
function statements(actions: readonly string[]): iam.PolicyStatement[] {
  const instanceRole = actions.filter((a) => a.startsWith('iam:'));
  return [
    ...autoScalingStatements(actions.filter((a) => !instanceRole.includes(a))),
    ...instanceRoleReadStatements(instanceRole),
  ];
}

/** The stack set template of the member roles (one region per account: IAM is global). */
export class GuardMemberRolesStack extends Stack {
  /** The ARN of the central guard function's role, a template parameter. */
  public readonly guardRoleArn: CfnParameter;
  /** The principals the operator role trusts (comma-separated role or user ARNs), a parameter. */
  public readonly operatorPrincipalArns: CfnParameter;
  public readonly memberRole: iam.Role;
  public readonly operatorRole: iam.Role;

  constructor(scope: Construct, id: string, props: GuardMemberRolesStackProps) {
    super(scope, id, {
      description: 'launch-loop-guard: roles the central guard and its operators assume in this account',
      ...props,
    });
    this.guardRoleArn = new CfnParameter(this, 'GuardRoleArn', {
      type: 'String',
      description: "The central guard function's role",
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
    });
    this.operatorPrincipalArns = new CfnParameter(this, 'OperatorPrincipalArns', {
      type: 'CommaDelimitedList',
      description:
        'Role or user ARNs of the central account that may assume the operator role (the central resumer and named operators)',
    });
    const inOrg = { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } };
    this.memberRole = new iam.Role(this, 'MemberRole', {
      roleName: MEMBER_ROLE_NAME,
      description:
        'launch-loop-guard: the central guard reads groups, ECS, instances, AMIs and instance roles, suspends and tags groups',
      assumedBy: new iam.ArnPrincipal(this.guardRoleArn.valueAsString).withConditions(inOrg),
      inlinePolicies: { Guard: new iam.PolicyDocument({ statements: statements(MEMBER_ROLE_ACTIONS) }) },
    });
    this.operatorRole = new iam.Role(this, 'OperatorRole', {
      roleName: OPERATOR_ROLE_NAME,
      description: 'launch-loop-guard: operators in the central account list and resume suspended groups',
      assumedBy: new iam.AccountPrincipal(props.centralAccount).withConditions(inOrg),
      inlinePolicies: { Operator: new iam.PolicyDocument({ statements: statements(OPERATOR_ROLE_ACTIONS) }) },
    });
    // Named principals only, not the whole central account: the trust policy's principal is the
    // parameter's list (an ArnPrincipal takes one string, so the list is written in directly).
    (this.operatorRole.node.defaultChild as iam.CfnRole).addPropertyOverride(
      'AssumeRolePolicyDocument.Statement.0.Principal.AWS',
      this.operatorPrincipalArns.valueAsList,
    );
    for (const role of [this.memberRole, this.operatorRole]) {
      NagSuppressions.addResourceSuppressions(role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Read-only calls: the Describe calls (Auto Scaling groups, warm pools, activities and hooks; EC2 instances, images and launch templates; ECS capacity providers, clusters and container instances) and the list calls have no or no useful resource-level permissions, and the instance-role check reads any instance profile and simulates any role of this account, found at run time; writes are limited to Auto Scaling groups of this account, which the guard finds at run time in any region.',
          appliesTo: [
            'Resource::*',
            'Resource::arn:<AWS::Partition>:autoscaling:*:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*',
            'Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*',
            'Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*',
          ],
        },
      ]);
    }
    if (props.nag !== false) Aspects.of(this).add(new AwsSolutionsChecks({ verbose: true }));
  }
}
