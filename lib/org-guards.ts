/**
 * Per-account guards across an AWS Organization (`orgMode=stackset`): two service-managed stack
 * sets, set from the management account or a delegated administrator. Every account of the
 * target OUs, new ones included, gets the guard in its home region and a forwarder in each other
 * region. Each account's guard is the one-account guard: its own table, topic, alarms and trail
 * alert.
 *
 * The guard's function bundle is published by `cdk deploy` of this stack to the organization's
 * asset bucket ({@link OrgAssetsStack}, in the home region), which member accounts can read.
 */
import { Aspects, DefaultStackSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { GuardForwarderStack } from './forwarder-stack';
import { LaunchLoopGuardStack } from './launch-loop-guard-stack';
import {
  type GuardStackSet,
  memberStackSet,
  ORG_ID,
  orgAssetBucketName,
  type StackSetCaller,
} from './org-stackset';
import type { LaunchLoopGuardProps } from './props';

/** Props of {@link StackSetGuardsStack}. */
/** (The stack makes its own synthesizer: a `synthesizer` given here is not used.) */
export interface StackSetGuardsStackProps extends StackProps {
  /** OUs (or the root) whose accounts get a guard. */
  readonly targets: string[];
  /** Other regions of the member accounts: each gets a forwarder to the home region. */
  readonly regions: string[];
  /**
   * Each member guard's settings.
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
  /**
   * Run cdk-nag's AwsSolutionsChecks (findings fail `cdk synth`).
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Name of each member account's bucket for S3 server access logs; `${AWS::AccountId}` and
   * `${AWS::Region}` are resolved in each account.
   * @default - no server access logs
   */
  readonly accessLogsBucketName?: string;
}

/** The stack sets of per-account guards; its stack's region is every member guard's home region. */
export class StackSetGuardsStack extends Stack {
  public readonly guards: GuardStackSet;
  public readonly forwarders?: GuardStackSet;
  /** The member templates' stacks (synthesized in apps of their own; for tests). */
  public readonly guardTemplate: LaunchLoopGuardStack;
  public readonly forwarderTemplate?: GuardForwarderStack;

  constructor(scope: Construct, id: string, props: StackSetGuardsStackProps) {
    const account = props.env?.account;
    const region = props.env?.region;
    if (account === undefined || !ORG_ID.account.test(account) || region === undefined) {
      throw new Error(
        'StackSetGuardsStack: env.account and env.region must be concrete (the asset bucket is named by them)',
      );
    }
    super(scope, id, {
      description: 'launch-loop-guard: per-account guards of an AWS Organization (stack sets)',
      ...props,
      // Assets go to the organization's bucket instead of the bootstrap bucket, which member
      // accounts cannot read.
      synthesizer: new DefaultStackSynthesizer({ fileAssetsBucketName: orgAssetBucketName(account, region) }),
    });
    const prefix = props.stackSetPrefix ?? 'LaunchLoopGuard';
    const guard = memberStackSet(
      this,
      'Guard',
      prefix,
      (app, synthesizer) =>
        new LaunchLoopGuardStack(app, 'Guard', {
          synthesizer,
          guard: props.guard,
          nag: props.nag,
          accessLogsBucketName: props.accessLogsBucketName,
        }),
      () => ({
        description: 'launch-loop-guard: the guard of each account, in its home region',
        targets: props.targets,
        regions: [region],
        callAs: props.callAs,
      }),
    );
    this.guardTemplate = guard.stack;
    this.guards = guard.stackSet;
    const others = [...new Set(props.regions)].filter((r) => r !== region);
    if (others.length > 0) {
      const forwarder = memberStackSet(
        this,
        'Forwarders',
        prefix,
        (app, synthesizer) =>
          new GuardForwarderStack(app, 'Forwarders', { synthesizer, homeRegion: region, nag: props.nag }),
        () => ({
          description: `launch-loop-guard: forwards each account's launch events to its guard in ${region}`,
          targets: props.targets,
          regions: others,
          callAs: props.callAs,
        }),
      );
      this.forwarderTemplate = forwarder.stack;
      this.forwarders = forwarder.stackSet;
      this.forwarders.node.addDependency(this.guards);
    }
    if (props.nag !== false) Aspects.of(this).add(new AwsSolutionsChecks({ verbose: true }));
  }
}
