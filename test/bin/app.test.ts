import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp, readAppConfig } from '../../lib/app';
import { forwardingRules } from '../lib/stacks';

const ACCOUNT = '123456789012';
const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('readAppConfig', () => {
  it('reads the home region, the other regions and the guard settings from context', () => {
    const config = readAppConfig(
      context({
        homeRegion: 'eu-west-1',
        regions: 'us-east-1, eu-west-1,eu-central-1,us-east-1',
        asgThreshold: '6',
        dryRun: 'true',
        churnShare: 'off',
        amiChangeAlerts: 'all',
        emails: 'a@example.com,b@example.com',
        windowMinutes: 30,
      }),
      { CDK_DEFAULT_ACCOUNT: ACCOUNT },
    );
    expect(config).toMatchObject({
      account: ACCOUNT,
      homeRegion: 'eu-west-1',
      regions: ['us-east-1', 'eu-central-1'],
      guard: {
        asgThreshold: 6,
        dryRun: true,
        churnShare: 'off',
        amiChangeAlerts: 'all',
        emails: ['a@example.com', 'b@example.com'],
      },
    });
    expect(config.guard.window?.toMinutes()).toBe(30);
  });

  it('defaults the home region to the CLI region and forwards nowhere', () => {
    const config = readAppConfig(context({}), { CDK_DEFAULT_REGION: 'ap-southeast-2' });
    expect(config.homeRegion).toBe('ap-southeast-2');
    expect(config.regions).toEqual([]);
  });

  it('says so at synth when no region was given at all and the guard falls back to us-east-1', () => {
    // Act
    const config = readAppConfig(context({}), {});
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { home } = buildApp(app, config);
    const chosen = buildApp(
      new App({ context: { 'aws:cdk:bundling-stacks': [] } }),
      readAppConfig(context({ homeRegion: 'eu-west-1' }), {}),
    ).home;
    // Assess
    expect(config).toMatchObject({ homeRegion: 'us-east-1', homeRegionDefaulted: true });
    Annotations.fromStack(home).hasWarning('*', Match.stringLikeRegexp('No home region given.*us-east-1'));
    expect(
      Annotations.fromStack(chosen).findWarning('*', Match.stringLikeRegexp('No home region given')),
    ).toEqual([]);
  });

  it.each([
    { values: { regions: 'eu-west-1,not a region' }, message: /got "not a region"/ },
    {
      values: { homeRegion: 'us-gov-west-1', regions: 'us-gov-east-1' },
      message: /cannot forward events across regions/,
    },
    { values: { homeRegion: 'cn-north-1', regions: 'cn-northwest-1' }, message: /cannot forward/ },
    { values: { dryRun: 'yes' }, message: /context dryRun must be true or false, got "yes"/ },
    { values: { asgThreshold: 'ten' }, message: /context asgThreshold must be a number, got "ten"/ },
  ])('refuses $values', ({ values, message }) => {
    expect(() => readAppConfig(context(values), {})).toThrow(message);
  });
});

describe('buildApp (multi-region synth)', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const built = buildApp(
    app,
    readAppConfig(context({ homeRegion: 'eu-west-1', regions: 'us-east-1,eu-central-1' }), {
      CDK_DEFAULT_ACCOUNT: ACCOUNT,
    }),
  );
  const assembly = app.synth();

  it('makes the home stack and one forwarder stack per other region', () => {
    expect(assembly.stacks.map((s) => [s.stackName, s.environment.region]).sort()).toEqual([
      ['LaunchLoopGuard', 'eu-west-1'],
      ['LaunchLoopGuard-Forwarder-eu-central-1', 'eu-central-1'],
      ['LaunchLoopGuard-Forwarder-us-east-1', 'us-east-1'],
    ]);
  });

  it.each(['us-east-1', 'eu-central-1'])(
    'forwards every guard pattern from %s to the home default bus',
    (region) => {
      const stack = built.forwarders.find((f) => f.region === region);
      expect(stack).toBeDefined();
      const template = Template.fromStack(stack as never);
      const rules = forwardingRules(template);
      for (const rule of rules) {
        expect(rule.Properties.Targets).toEqual([
          expect.objectContaining({
            Arn: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:${ACCOUNT}:event-bus/default`],
              ],
            },
            RoleArn: expect.any(Object),
            DeadLetterConfig: expect.any(Object),
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 21_600 },
          }),
        ]);
      }
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: 'events:PutEvents',
              Resource: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:${ACCOUNT}:event-bus/default`],
                ],
              },
            }),
          ],
        },
      });
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      expect(
        Annotations.fromStack(stack as never).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ).toEqual([]);
    },
  );

  it('keeps the home stack cdk-nag clean', () => {
    expect(
      Annotations.fromStack(built.home).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ).toEqual([]);
  });

  it('configures Slack from context', () => {
    const slackApp = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { home } = buildApp(
      slackApp,
      readAppConfig(
        context({
          slackWorkspaceId: 'T0123ABCD',
          slackChannelId: 'C0456EFGH',
          slackWebhookSecretName: 'llg/slack',
        }),
        { CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: 'eu-west-1' },
      ),
    );
    const template = Template.fromStack(home);
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
    expect(home.guard.webhookNotifier).toBeDefined();
  });
});

/** Run bin/launch-loop-guard.ts as `cdk synth` does, into `out`, with these environment variables. */
function synthBin(out: string, env: Record<string, string>): void {
  execFileSync(join('node_modules', '.bin', 'tsx'), ['bin/launch-loop-guard.ts'], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, CDK_OUTDIR: out, ...env },
    stdio: 'pipe',
  });
}

/** The deployable stacks of a cloud assembly, as [id, environment] pairs, sorted. */
function manifestStacks(out: string): string[][] {
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  return Object.entries(manifest.artifacts as Record<string, { type: string; environment: string }>)
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([id, a]) => [id, a.environment])
    .sort();
}

describe('bin/launch-loop-guard.ts', () => {
  it('synthesizes the home stack and the forwarders from context, as `cdk synth` runs it', () => {
    // Prepare
    const out = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'llg-synth-'));

    // Act
    synthBin(out, {
      CDK_DEFAULT_ACCOUNT: ACCOUNT,
      CDK_CONTEXT_JSON: JSON.stringify({
        homeRegion: 'eu-west-1',
        regions: 'us-west-2',
        'aws:cdk:bundling-stacks': [],
      }),
    });

    // Assess
    const stacks = manifestStacks(out);
    expect(stacks).toEqual([
      ['LaunchLoopGuard', `aws://${ACCOUNT}/eu-west-1`],
      ['LaunchLoopGuard-Forwarder-us-west-2', `aws://${ACCOUNT}/us-west-2`],
    ]);
  });

  it('synthesizes the central organization shape from context, stack set templates beside it', () => {
    // Prepare
    const out = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'llg-synth-org-'));

    // Act
    synthBin(out, {
      CDK_CONTEXT_JSON: JSON.stringify({
        account: '999999999999',
        homeRegion: 'eu-west-1',
        regions: 'us-west-2',
        orgTargets: 'ou-ab12-abcdefgh',
        orgId: 'o-abcdefghij',
        'aws:cdk:bundling-stacks': [],
      }),
    });

    // Assess: the top manifest lists the deployable stacks only (the member templates' own
    // assemblies sit in subdirectories and are not deployed by cdk)
    const stacks = manifestStacks(out);
    expect(stacks).toEqual([
      ['LaunchLoopGuard', 'aws://999999999999/eu-west-1'],
      ['LaunchLoopGuard-Forwarder-us-west-2', 'aws://999999999999/us-west-2'],
    ]);
    const template = JSON.parse(readFileSync(join(out, 'LaunchLoopGuard.template.json'), 'utf8'));
    const sets = Object.values(template.Resources as Record<string, { Type: string }>).filter(
      (r) => r.Type === 'AWS::CloudFormation::StackSet',
    );
    expect(sets).toHaveLength(2);
  });
});
