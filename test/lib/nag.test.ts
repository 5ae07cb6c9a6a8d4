import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LaunchLoopGuard } from '../../lib/launch-loop-guard';
import type { LaunchLoopGuardProps } from '../../lib/props';
import { ACCOUNT, REGION } from './stacks';

/** `env: undefined` is an environment-agnostic stack: offline `cdk synth` without an account. */
function nagFindings(
  props: (stack: Stack) => LaunchLoopGuardProps,
  env: { account?: string; region?: string } | undefined = { account: ACCOUNT, region: REGION },
) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Nag', env === undefined ? {} : { env });
  new LaunchLoopGuard(stack, 'Guard', props(stack));
  Aspects.of(stack).add(new AwsSolutionsChecks());
  const annotations = Annotations.fromStack(stack);
  const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
  return {
    errors: annotations.findError('*', pattern).map((e) => `${e.id}: ${String(e.entry.data).split(']')[0]}`),
    warnings: annotations
      .findWarning('*', pattern)
      .map((e) => `${e.id}: ${String(e.entry.data).split(']')[0]}`),
  };
}

describe('cdk-nag AwsSolutionsChecks', () => {
  it('finds no unsuppressed error or warning with the defaults', () => {
    const { errors, warnings } = nagFindings(() => ({}));
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('finds no unsuppressed error with every option of this construct on (auto-resume aside)', () => {
    const { errors } = nagFindings((stack) => ({
      createTrail: true,
      emails: ['oncall@example.com'],
      noLaunchEventsAlarmHours: 12,
      reservedConcurrency: 20,
      slack: {
        chatbot: { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' },
        webhookSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'llg/slack'),
      },
    }));
    expect(errors).toEqual([]);
  });

  it('finds no unsuppressed error or warning with auto-resume on', () => {
    const { errors, warnings } = nagFindings(() => ({ autoResume: {} }));
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['no account or region (offline synth)', undefined],
    ['a region but no account (`cdk synth -c autoResume=true` without credentials)', { region: REGION }],
  ])('finds no unsuppressed error or warning with auto-resume on and %s', (_, env) => {
    const { errors, warnings } = nagFindings(() => ({ autoResume: {} }), env);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
