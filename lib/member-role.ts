/**
 * The member account's side of the central guard (`orgMode=central`): two narrow roles, deployed
 * to every member account by a stack set.
 *
 * - The member role, assumed by the central guard function only: it reads groups and AMIs,
 *   suspends processes and writes tags. It cannot resume, delete, stop or terminate anything.
 * - The operator role, assumed by named principals of the central account only (the central
 *   resumer function and the people given as `orgOperatorPrincipals`, for `status` and `resume
 *   --account`): it reads groups, resumes processes and removes the guard's tags.
 */
import { Aspects, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { PERMISSIONS_FOR as AUTO_SCALING } from '../lambda/adapters/asg-suspender';
import { PERMISSIONS as DIAGNOSIS } from '../lambda/adapters/ec2-diagnosis';
import { autoScalingStatements } from './least-privilege';

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

/**
 * Describe calls on `*` (no resource-level permissions), group writes on this account's groups,
 * tag writes on the guard's keys only, and no suspension of an exempt group (`least-privilege.ts`).
 */
function statements(actions: readonly string[]): iam.PolicyStatement[] {
  return autoScalingStatements(actions);
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
