/**
 * A small stack for every region but the home one: its rules send the guard's events to the
 * home region's default event bus, where the guard's own rules pick them up. The events keep
 * their `region`, so the function acts in the region each launch happened in.
 */
import { Aspects, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { GUARD_PATTERNS } from './event-patterns';
import { TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS } from './launch-loop-guard';

/** Props of {@link GuardForwarderStack}. */
export interface GuardForwarderStackProps extends StackProps {
  /** The region where the guard runs (its default event bus receives the events). */
  readonly homeRegion: string;
  /**
   * The bus that receives the events, when it is not the home region's default bus of this
   * account: the central bus of an organization (`orgMode=central`), in another account.
   * @default - the default event bus of this account in `homeRegion`
   */
  readonly targetBusArn?: string;
  /**
   * Run cdk-nag's AwsSolutionsChecks on the stack.
   * @default true
   */
  readonly nag?: boolean;
}

/** Forwards launch, Auto Scaling and trail-change events of one region to the home region. */
export class GuardForwarderStack extends Stack {
  /** The home region's default event bus. */
  public readonly homeBus: events.IEventBus;
  /** One rule per guard pattern. */
  public readonly rules: events.Rule[];
  /** Events that could not be put on the home bus after the retries. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: GuardForwarderStackProps) {
    super(scope, id, {
      description: `launch-loop-guard: forwards launch events to ${props.homeRegion}`,
      ...props,
    });
    if (props.homeRegion === this.region && props.targetBusArn === undefined) {
      throw new Error(
        `GuardForwarderStack: homeRegion must differ from the stack's region, got "${props.homeRegion}"`,
      );
    }
    this.homeBus = events.EventBus.fromEventBusArn(
      this,
      'HomeBus',
      props.targetBusArn ??
        `arn:${this.partition}:events:${props.homeRegion}:${this.account}:event-bus/default`,
    );
    // SQS-managed encryption: EventBridge can write to it without a key of our own in every region.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
      // A dead-letter store, and it says so (Control Tower's sqs_dlq_check skips such a queue).
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the forwarding rules.',
      },
    ]);
    // A role of our own: the one the EventBus target would make trusts events.amazonaws.com with
    // no condition.
    const role = new iam.Role(this, 'ForwardRole', {
      description: 'launch-loop-guard: lets the forwarding rules of this account put events on the home bus',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    const target = new targets.EventBus(this.homeBus, { deadLetterQueue: this.deadLetterQueue, role });
    this.rules = Object.entries(GUARD_PATTERNS).map(([name, pattern]) => {
      const rule = new events.Rule(this, `Forward-${name}`, {
        description: `launch-loop-guard: forwards ${name} events to ${props.homeRegion}`,
        eventPattern: pattern,
      });
      rule.addTarget(target);
      return rule;
    });
    // Retry policy on each target (the EventBus target class does not expose one).
    for (const rule of this.rules) {
      const cfn = rule.node.defaultChild as events.CfnRule;
      cfn.addPropertyOverride('Targets.0.RetryPolicy', {
        MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
        MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
      });
    }
    if (props.nag !== false) Aspects.of(this).add(new AwsSolutionsChecks({ verbose: true }));
  }
}
