/**
 * The trail-change alert: two rules, one per outcome, because an EventBridge input template cannot
 * branch. A call that succeeded says what changed; a call that failed says "attempted, denied" and
 * its error, so a denied `StopLogging` never reads as a stopped trail.
 *
 * The alert text is built by EventBridge, so it cannot be escaped: the chat message of a failed
 * call leaves out the requested trail name, the one value a caller can choose freely (CloudTrail
 * refuses names other than letters, digits, `.`, `_`, `-` or an ARN, so a call that succeeded
 * carries a safe one). The main topic's text is plain (e-mail); the webhook notifier escapes it.
 */
import { type Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { TRAIL_TAMPERING_PATTERN } from './event-patterns';

/** The trail-change pattern narrowed to calls that succeeded (`ok`) or failed (`attempt`). */
export function trailChangePattern(outcome: 'ok' | 'attempt'): events.EventPattern {
  return {
    ...TRAIL_TAMPERING_PATTERN,
    detail: { ...TRAIL_TAMPERING_PATTERN.detail, errorCode: [{ exists: outcome === 'attempt' }] },
  };
}

const f = (path: string) => events.EventField.fromPath(path);

/**
 * The SNS targets of one trail-change rule: the main topic (plain text) and, when given, the chat
 * topic (AWS Chatbot's custom notification).
 *
 * @param blindIn how the text ends: what a missing trail means for this guard
 */
export function trailAlertTargets(
  outcome: 'ok' | 'attempt',
  topics: { readonly main: sns.ITopic; readonly chat?: sns.ITopic },
  targetProps: Omit<targets.SnsTopicProps, 'message'>,
  blindIn: string,
): targets.SnsTopic[] {
  const call = f('$.detail.eventName');
  const where = `by ${f('$.detail.userIdentity.arn')} in ${f('$.region')} (account ${f('$.account')}) at ${f('$.time')}`;
  const consequence = `EventBridge sees launches only while a trail logs management events in the region: without one the guard is blind${blindIn}.`;
  const text =
    outcome === 'ok'
      ? `launch-loop-guard: trail change. ${call} of trail ${f('$.detail.requestParameters.name')} ${where}. ${consequence}`
      : `launch-loop-guard: trail change attempted, denied. ${call} of trail ${f('$.detail.requestParameters.name')} ${where} failed with ${f('$.detail.errorCode')}: nothing changed, but someone tried. ${consequence}`;
  const out = [
    new targets.SnsTopic(topics.main, { ...targetProps, message: events.RuleTargetInput.fromText(text) }),
  ];
  if (topics.chat !== undefined) {
    const chatDescription =
      outcome === 'ok'
        ? `${call} of trail ${f('$.detail.requestParameters.name')} ${where}. ${consequence}`
        : `${call} ${where} was attempted and denied (${f('$.detail.errorCode')}): nothing changed, but someone tried.`;
    out.push(
      new targets.SnsTopic(topics.chat, {
        ...targetProps,
        message: events.RuleTargetInput.fromObject({
          version: '1.0',
          source: 'custom',
          content: {
            textType: 'client-markdown',
            title:
              outcome === 'ok'
                ? `:warning: launch-loop-guard: ${call} of a trail`
                : `:warning: launch-loop-guard: ${call} of a trail attempted, denied`,
            description: chatDescription,
          },
          metadata: {
            threadId: 'launch-loop-guard-trail',
            summary: outcome === 'ok' ? `${call} of a trail` : `${call} of a trail attempted, denied`,
          },
        }),
      }),
    );
  }
  return out;
}

/** The rule that alerts on trail changes of one outcome, publishing through the guard's own role. */
export function trailTamperingRule(
  scope: Construct,
  outcome: 'ok' | 'attempt',
  topics: { readonly main: sns.ITopic; readonly chat?: sns.ITopic | undefined },
  delivery: {
    readonly deadLetterQueue: sqs.IQueue;
    readonly retryAttempts: number;
    readonly maxEventAge: Duration;
  },
  publisher: iam.IRole,
): events.Rule {
  const rule = new events.Rule(scope, outcome === 'ok' ? 'TrailTamperingRule' : 'TrailTamperingAttemptRule', {
    description:
      outcome === 'ok'
        ? 'launch-loop-guard: a trail was stopped, deleted or changed (the guard may go blind)'
        : 'launch-loop-guard: someone tried, and failed, to stop, delete or change a trail',
    eventPattern: trailChangePattern(outcome),
  });
  const targetProps = { ...delivery, role: publisher };
  for (const target of trailAlertTargets(
    outcome,
    { main: topics.main, ...(topics.chat === undefined ? {} : { chat: topics.chat }) },
    targetProps,
    '',
  )) {
    rule.addTarget(target);
  }
  // After the targets: their grants create the role's default policy.
  NagSuppressions.addResourceSuppressions(
    publisher,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'kms:GenerateDataKey* is the documented action family for publishing to an encrypted topic; granted on the construct key only.',
        appliesTo: ['Action::kms:GenerateDataKey*'],
      },
    ],
    true,
  );
  return rule;
}

/**
 * EventBridge publishes trail-change alerts with this role, not as its service principal: an
 * SnsTopic target without a role adds an unconditioned `events.amazonaws.com` grant to the
 * topic policy and the key policy, which any account's rule could use. The trust is limited to
 * this account's rules (EventBridge sets aws:SourceAccount:
 * docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html).
 */
export function trailAlertPublisher(scope: Construct): iam.Role {
  return new iam.Role(scope, 'TrailAlertRole', {
    description: 'launch-loop-guard: lets the trail-change rule publish to the alert topics, nothing else',
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  });
}
