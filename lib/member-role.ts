/**
 * The member account's side of the central guard (`orgMode=central`): two narrow roles, deployed
 * to every member account by a stack set.
 *
 * - The member role, assumed by the central guard function only: it reads groups and AMIs,
 *   suspends processes and writes tags. It cannot resume, delete, stop or terminate anything.
 * - The operator role, assumed by people in the central account (`status` and `resume
 *   --account`): it reads groups, resumes processes and removes tags.
 */
import { Aspects, Aws, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { PERMISSIONS_FOR as AUTO_SCALING } from '../lambda/adapters/asg-suspender';
import { PERMISSIONS as DIAGNOSIS } from '../lambda/adapters/ec2-diagnosis';

/** The member role's name in every member account. */
export const MEMBER_ROLE_NAME = 'LaunchLoopGuardMember';
/** The operator role's name in every member account. */
export const OPERATOR_ROLE_NAME = 'LaunchLoopGuardOperator';

/** What the central guard does in a member account: the guard's Auto Scaling calls and diagnosis. */
export const MEMBER_ROLE_ACTIONS: readonly string[] = [
  ...new Set([...AUTO_SCALING.guard, ...DIAGNOSIS]),
].sort();
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

/** Split actions into the Describe calls (no resource-level permissions) and the group writes. */
function statements(actions: readonly string[]): iam.PolicyStatement[] {
  const groupArn = `arn:${Aws.PARTITION}:autoscaling:*:${Aws.ACCOUNT_ID}:autoScalingGroup:*:autoScalingGroupName/*`;
  const reads = actions.filter((a) => a.split(':')[1]?.startsWith('Describe'));
  const writes = actions.filter((a) => !reads.includes(a));
  return [
    new iam.PolicyStatement({ sid: 'ReadOnlyDescribe', actions: reads, resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'AutoScalingGroupsOfThisAccount',
      actions: writes,
      resources: [groupArn],
    }),
  ];
}

/** The stack set template of the member roles (one region per account: IAM is global). */
export class GuardMemberRolesStack extends Stack {
  /** The ARN of the central guard function's role, a template parameter. */
  public readonly guardRoleArn: CfnParameter;
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
    const inOrg = { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } };
    this.memberRole = new iam.Role(this, 'MemberRole', {
      roleName: MEMBER_ROLE_NAME,
      description: 'launch-loop-guard: the central guard reads groups and AMIs, suspends and tags groups',
      assumedBy: new iam.ArnPrincipal(this.guardRoleArn.valueAsString).withConditions(inOrg),
      inlinePolicies: { Guard: new iam.PolicyDocument({ statements: statements(MEMBER_ROLE_ACTIONS) }) },
    });
    this.operatorRole = new iam.Role(this, 'OperatorRole', {
      roleName: OPERATOR_ROLE_NAME,
      description: 'launch-loop-guard: operators in the central account list and resume suspended groups',
      assumedBy: new iam.AccountPrincipal(props.centralAccount).withConditions(inOrg),
      inlinePolicies: { Operator: new iam.PolicyDocument({ statements: statements(OPERATOR_ROLE_ACTIONS) }) },
    });
    for (const role of [this.memberRole, this.operatorRole]) {
      NagSuppressions.addResourceSuppressions(role, [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Describe calls (Auto Scaling groups and warm pools, EC2 images) have no resource-level permissions; writes are limited to Auto Scaling groups of this account, which the guard finds at run time in any region.',
          appliesTo: [
            'Resource::*',
            'Resource::arn:<AWS::Partition>:autoscaling:*:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*',
          ],
        },
      ]);
    }
    if (props.nag !== false) Aspects.of(this).add(new AwsSolutionsChecks({ verbose: true }));
  }
}
