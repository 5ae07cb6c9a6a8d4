/**
 * The central guard of an AWS Organization (`orgMode=central`): one guard in one account
 * (security tooling or a delegated administrator) counts the launches of every member account
 * and region and acts through a narrow role in each member account.
 *
 * - A central event bus whose resource policy admits the organization only (`aws:PrincipalOrgID`).
 * - A stack set of forwarders: every target account and region sends the guard's events there.
 * - A stack set of member roles (see `member-role.ts`), trusted by the guard function's role only.
 * - The guard itself, as in one account, plus rules on the central bus, permission to assume the
 *   member roles, and `organizations:DescribeAccount` to name accounts in alerts.
 */
import { Aspects, Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { PERMISSIONS as ACCOUNT_NAMES } from '../lambda/adapters/account-names';
import {
  ACCOUNT_PLACEHOLDER,
  PERMISSIONS as MEMBER_CREDENTIALS,
} from '../lambda/adapters/member-credentials';
import { PERMISSIONS as TARGET_LOOKUP } from '../lambda/adapters/org-targets';
import { ENV } from '../lambda/config';
import { AUTO_SCALING_PATTERN, CLOUDTRAIL_LAUNCH_PATTERN } from './event-patterns';
import { GuardForwarderStack } from './forwarder-stack';
import { LaunchLoopGuard, TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS } from './launch-loop-guard';
import { stackGuardProps } from './launch-loop-guard-stack';
import { GuardMemberRolesStack, MEMBER_ROLE_NAME, OPERATOR_ROLE_NAME } from './member-role';
import { type GuardStackSet, memberStackSet, ORG_ID, type StackSetCaller } from './org-stackset';
import type { LaunchLoopGuardProps } from './props';
import { trailAlertTargets, trailChangePattern } from './trail-alert';

/** The central event bus's name. */
export const CENTRAL_BUS_NAME = 'launch-loop-guard';

/** Props of {@link CentralGuardStack}. */
export interface CentralGuardStackProps extends StackProps {
  /** The organization (`o-…`): the bus and the member roles admit its principals only. */
  readonly organizationId: string;
  /** OUs (or the root) whose accounts send their events and get the member roles. */
  readonly targets: string[];
  /**
   * Regions of the member accounts that forward their events (the stack's own region included
   * or not: it is added).
   */
  readonly regions: string[];
  /**
   * The guard's settings (`autoResume` is not supported in central mode).
   * @default - the construct's defaults
   */
  readonly guard?: LaunchLoopGuardProps;
  /**
   * Who creates the stack sets.
   * @default 'DELEGATED_ADMIN'
   */
  readonly callAs?: StackSetCaller;
  /**
   * Stack name prefix of the stack sets.
   * @default 'LaunchLoopGuard'
   */
  readonly stackSetPrefix?: string;
  /** @default - `guard.slack.webhookSecret` as given */
  readonly slackWebhookSecretName?: string;
  /**
   * Name of the central account's bucket for S3 server access logs (sets `guard.accessLogsBucket`).
   * @default - `guard.accessLogsBucket` as given
   */
  readonly accessLogsBucketName?: string;
  /**
   * Principals of the central account (IAM role or user ARNs) that may assume the operator role
   * in each member account, for `status` and `resume --account`.
   * @default - none: only the central resumer function's role
   */
  readonly operatorPrincipals?: string[];
  /**
   * Run cdk-nag's AwsSolutionsChecks (findings fail `cdk synth`).
   * @default true
   */
  readonly nag?: boolean;
}

/** The central guard, its bus, and the stack sets that connect the member accounts. */
export class CentralGuardStack extends Stack {
  public readonly guard: LaunchLoopGuard;
  public readonly bus: events.EventBus;
  /** Rules on the central bus (launches, Auto Scaling events, trail changes). */
  public readonly busRules: events.Rule[];
  public readonly memberRoles: GuardStackSet;
  public readonly forwarders: GuardStackSet;
  /** The stack set templates' stacks (synthesized in apps of their own; for tests). */
  public readonly memberRolesTemplate: GuardMemberRolesStack;
  public readonly forwarderTemplate: GuardForwarderStack;

  constructor(scope: Construct, id: string, props: CentralGuardStackProps) {
    super(scope, id, {
      description: 'launch-loop-guard: the central guard of an AWS Organization',
      ...props,
    });
    if (!ORG_ID.organization.test(props.organizationId)) {
      throw new Error(
        `CentralGuardStack: organizationId must be an organization id (o-…), got "${props.organizationId}"`,
      );
    }
    if (props.guard?.autoResume !== undefined) {
      throw new Error(
        'CentralGuardStack: autoResume is not supported in central mode yet (resuming a group of a member account on a schedule is not built; resume by hand with the commands of the trip alert)',
      );
    }
    const prefix = props.stackSetPrefix ?? 'LaunchLoopGuard';
    // This stack names its outputs itself.
    this.guard = new LaunchLoopGuard(this, 'Guard', stackGuardProps(this, props.guard ?? {}, props));

    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: CENTRAL_BUS_NAME,
      description: 'launch-loop-guard: launch events of the whole organization',
    });
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TargetOusPutEvents',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: {
          StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
          // Only accounts in the target OUs (at any depth below them), not the whole organization:
          // an account outside them has no member role, so its events could only fail.
          'ForAnyValue:StringLike': {
            'aws:PrincipalOrgPaths': orgPaths(props.organizationId, props.targets),
          },
        },
      }),
    );
    this.busRules = this.centralRules();
    this.allowMemberAccess(props.organizationId, props.targets);
    this.allowResumerInMembers(props.organizationId);

    const regions = [...new Set([this.region, ...props.regions])];
    const roles = memberStackSet(
      this,
      'MemberRoles',
      prefix,
      (app, synthesizer) =>
        new GuardMemberRolesStack(app, 'MemberRoles', {
          synthesizer,
          organizationId: props.organizationId,
          centralAccount: this.account,
          nag: props.nag,
        }),
      (stack) => ({
        description: 'launch-loop-guard: the roles the central guard and its operators assume',
        targets: props.targets,
        // IAM is global: one region per account.
        regions: [this.region],
        parameters: {
          [stack.guardRoleArn.logicalId]: this.guardRole().roleArn,
          [stack.operatorPrincipalArns.logicalId]: [
            this.guard.resumer.role?.roleArn ?? '',
            ...(props.operatorPrincipals ?? []),
          ].join(','),
        },
        callAs: props.callAs,
      }),
    );
    this.memberRolesTemplate = roles.stack;
    this.memberRoles = roles.stackSet;
    const busRegion = this.region;
    const busAccount = this.account;
    const forwarder = memberStackSet(
      this,
      'Forwarders',
      prefix,
      (app, synthesizer) =>
        new GuardForwarderStack(app, 'Forwarders', {
          synthesizer,
          homeRegion: busRegion,
          // Built literally: the template is deployed in other accounts, where a reference to this
          // stack cannot resolve.
          targetBusArn: `arn:${Aws.PARTITION}:events:${busRegion}:${busAccount}:event-bus/${CENTRAL_BUS_NAME}`,
          nag: props.nag,
        }),
      () => ({
        description: `launch-loop-guard: forwards launch events to the central bus in ${this.region}`,
        targets: props.targets,
        regions,
        callAs: props.callAs,
      }),
    );
    this.forwarderTemplate = forwarder.stack;
    this.forwarders = forwarder.stackSet;
    // The member roles trust the guard's role: create it first, and the roles before events flow.
    this.forwarders.node.addDependency(this.memberRoles);

    new CfnOutput(this, 'TableName', {
      value: this.guard.table.tableName,
      description: 'The guard table: pass it to `launch-loop-guard status` and `resume` as --table',
    });
    new CfnOutput(this, 'TopicArn', {
      value: this.guard.topic.topicArn,
      description: 'Where the guard alerts',
    });
    new CfnOutput(this, 'CentralBusArn', {
      value: this.bus.eventBusArn,
      description: 'Where member accounts send their launch events',
    });
    if (props.nag !== false) Aspects.of(this).add(new AwsSolutionsChecks({ verbose: true }));
  }

  private guardRole(): iam.IRole {
    const role = this.guard.handler.role;
    if (role === undefined) throw new Error('CentralGuardStack: the guard function has no role');
    return role;
  }

  /** Rules on the central bus: the same patterns and targets as the guard's own rules. */
  private centralRules(): events.Rule[] {
    const targetProps = {
      deadLetterQueue: this.guard.deadLetterQueue,
      retryAttempts: TARGET_RETRY_ATTEMPTS,
      maxEventAge: TARGET_MAX_EVENT_AGE,
    };
    const launches = [CLOUDTRAIL_LAUNCH_PATTERN, AUTO_SCALING_PATTERN].map((eventPattern, i) => {
      const rule = new events.Rule(this, i === 0 ? 'CentralCloudTrailLaunchRule' : 'CentralAutoScalingRule', {
        eventBus: this.bus,
        description: 'launch-loop-guard: launch events of the member accounts',
        eventPattern,
      });
      rule.addTarget(new targets.LambdaFunction(this.guard.handler, targetProps));
      return rule;
    });
    const tampering = (['ok', 'attempt'] as const).map((outcome) => {
      const rule = new events.Rule(
        this,
        outcome === 'ok' ? 'CentralTrailTamperingRule' : 'CentralTrailTamperingAttemptRule',
        {
          eventBus: this.bus,
          description:
            outcome === 'ok'
              ? 'launch-loop-guard: a trail of a member account was stopped, deleted or changed'
              : 'launch-loop-guard: someone tried, and failed, to change a trail of a member account',
          eventPattern: trailChangePattern(outcome),
        },
      );
      // The guard's publisher role (trusted by this account's rules only): without a role the
      // target adds an unconditioned events.amazonaws.com grant to the topic and key policies.
      for (const target of trailAlertTargets(
        outcome,
        { main: this.guard.topic },
        { ...targetProps, role: this.guard.trailAlertRole },
        ' in that account',
      )) {
        rule.addTarget(target);
      }
      return rule;
    });
    return [...launches, ...tampering];
  }

  /** Let the guard assume the member roles of the organization and read account names. */
  private allowMemberAccess(organizationId: string, targetIds: readonly string[]): void {
    const role = this.guardRole();
    const memberRoleArn = `arn:${Aws.PARTITION}:iam::*:role/${MEMBER_ROLE_NAME}`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeMemberRoles',
        actions: [...MEMBER_CREDENTIALS],
        resources: [memberRoleArn],
        // aws:ResourceOrgID is in the request context when the resource's account belongs to an
        // organization (IAM global condition keys); the AWS data-perimeter examples rely on it for
        // sts:AssumeRole too (aws-samples/data-perimeter-policy-examples).
        conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'NameAccounts',
        actions: [...ACCOUNT_NAMES],
        resources: [`arn:${Aws.PARTITION}:organizations::*:account/${organizationId}/*`],
      }),
    );
    // After a denied AssumeRole: is the account in a target OU (blind) or not (permanent)?
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FindTargetAccounts',
        actions: [...TARGET_LOOKUP],
        resources: [
          `arn:${Aws.PARTITION}:organizations::*:account/${organizationId}/*`,
          `arn:${Aws.PARTITION}:organizations::*:ou/${organizationId}/*`,
        ],
      }),
    );
    this.guard.handler.addEnvironment(ENV.targets, targetIds.join(','));
    this.guard.handler.addEnvironment(
      ENV.memberRoleArn,
      `arn:${Aws.PARTITION}:iam::${ACCOUNT_PLACEHOLDER}:role/${MEMBER_ROLE_NAME}`,
    );
    this.guard.handler.addEnvironment(ENV.homeAccount, Aws.ACCOUNT_ID);
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The member role has one name in every account of the organization (aws:ResourceOrgID limits it to this organization); account names are read for any account of this organization.',
          appliesTo: [
            `Resource::arn:<AWS::Partition>:iam::*:role/${MEMBER_ROLE_NAME}`,
            `Resource::arn:<AWS::Partition>:organizations::*:account/${organizationId}/*`,
            `Resource::arn:<AWS::Partition>:organizations::*:ou/${organizationId}/*`,
          ],
        },
      ],
      true,
    );
  }

  /**
   * Let the resumer act in a member account through that account's operator role (which trusts
   * the resumer's role by name): `sts:AssumeRole` on that role in this organization only, and
   * the role's ARN template.
   */
  private allowResumerInMembers(organizationId: string): void {
    const resumer = this.guard.resumer;
    const role = resumer.role;
    if (role === undefined) throw new Error('CentralGuardStack: the resumer function has no role');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeOperatorRoles',
        actions: [...MEMBER_CREDENTIALS],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${OPERATOR_ROLE_NAME}`],
        conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
      }),
    );
    resumer.addEnvironment(
      ENV.operatorRoleArn,
      `arn:${Aws.PARTITION}:iam::${ACCOUNT_PLACEHOLDER}:role/${OPERATOR_ROLE_NAME}`,
    );
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "The operator role has one name in every member account (aws:ResourceOrgID limits it to this organization); the resumer assumes it to resume a member account's group the central guard suspended.",
          appliesTo: [`Resource::arn:<AWS::Partition>:iam::*:role/${OPERATOR_ROLE_NAME}`],
        },
      ],
      true,
    );
  }
}

/**
 * `aws:PrincipalOrgPaths` patterns of the target OUs or root: the organization id, any path, the
 * OU id, anything below: an account in the OU or in any OU under it (IAM user guide,
 * "aws:PrincipalOrgPaths").
 */
export function orgPaths(organizationId: string, targets: readonly string[]): string[] {
  return targets.map((t) => (t.startsWith('r-') ? `${organizationId}/${t}/*` : `${organizationId}/*/${t}/*`));
}
