import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAppConfig } from '../../lib/app';
import {
  CONTEXT_KEYS,
  ContextError,
  checkContextKeys,
  nearestKey,
  profileRegionIn,
  regionFromEnvironment,
} from '../../lib/app-context';

const ROOT = join(__dirname, '..', '..');
const context = (values: Record<string, unknown>) => (key: string) => values[key];

/** Run the CDK app as the CDK CLI does (context in CDK_CONTEXT_JSON), without synthesizing far. */
function runApp(values: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/launch-loop-guard.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify(values),
      CDK_OUTDIR: join(ROOT, '.cache', 'app-context-test'),
    },
  });
}

describe('the app context', () => {
  it('lists exactly the keys readAppConfig reads', () => {
    // Prepare
    const read = new Set<string>();
    const record = (key: string) => {
      read.add(key);
      return undefined;
    };
    // Act
    readAppConfig(record, { CDK_DEFAULT_REGION: 'eu-west-1' });
    // Assess
    expect([...read].sort()).toEqual([...CONTEXT_KEYS].sort());
  });

  it.each([
    ['windowMinute', 'windowMinutes'],
    ['asgthreshold', 'asgThreshold'],
    ['homeregion', 'homeRegion'],
    ['email', 'emails'],
    ['dryrun', 'dryRun'],
  ])('refuses the unknown key %s, suggesting %s', (key, near) => {
    expect(() => checkContextKeys([key])).toThrow(ContextError);
    expect(() => checkContextKeys([key])).toThrow(
      `context ${key} is not a key launch-loop-guard reads (did you mean ${near}?)`,
    );
  });

  it("leaves the CDK's own keys alone and suggests nothing far off", () => {
    expect(() =>
      checkContextKeys([
        'cli-telemetry',
        '@aws-cdk/core:newStyleStackSynthesis',
        'aws:cdk:bundling-stacks',
        'availability-zones:account=123456789012:region=eu-west-1',
        ...CONTEXT_KEYS,
      ]),
    ).not.toThrow();
    expect(nearestKey('bananas')).toBeUndefined();
  });

  it.each([
    [{ windowMinutes: 'abc' }, 'context windowMinutes must be a number, got "abc"'],
    [
      { windowMinutes: '100000' },
      'context windowMinutes must be whole minutes from 1 to 1440 (24 hours), got "100000"',
    ],
    [{ windowMinutes: '0' }, 'context windowMinutes must be whole minutes, at least 1, got "0"'],
    [{ asgThreshold: '0' }, 'context asgThreshold must be a whole number from 1 to 100000, got "0"'],
    [{ dryRun: 'maybe' }, 'context dryRun must be true or false, got "maybe"'],
    [
      { emails: 'a@example.com,not-an-email' },
      'context emails must hold e-mail addresses, got "not-an-email"',
    ],
    [{ churnShare: '2' }, 'context churnShare must be a share in (0, 1] or "off", got "2"'],
    [
      { homeRegion: 'eu-west-99' },
      'context homeRegion must be a region name such as eu-west-1, got "eu-west-99"',
    ],
    [{ autoResumeMaxTrips: '0' }, 'context autoResumeMaxTrips must be a whole number, at least 1, got "0"'],
    [
      { slackWorkspaceId: 'x', slackChannelId: 'C0123456789' },
      'context slackWorkspaceId must be a Slack workspace id such as T0123456789, got "x"',
    ],
  ])('names the key, the value and what is expected: %o', (values, message) => {
    expect(() => readAppConfig(context(values), { CDK_DEFAULT_REGION: 'eu-west-1' })).toThrow(
      expect.objectContaining({ name: 'ContextError', message }),
    );
  });
});

describe('the home region', () => {
  it.each([
    [
      { AWS_REGION: 'eu-west-1', CDK_DEFAULT_REGION: 'eu-west-1', CDK_CLI_VERSION: '2.1148.1' },
      undefined,
      'eu-west-1',
    ],
    [
      { AWS_DEFAULT_REGION: 'us-east-1', CDK_DEFAULT_REGION: 'us-east-1', CDK_CLI_VERSION: '2' },
      undefined,
      'us-east-1',
    ],
    [{ CDK_DEFAULT_REGION: 'us-east-1', CDK_CLI_VERSION: '2' }, 'us-east-1', 'us-east-1'],
    [{ CDK_DEFAULT_REGION: 'ap-south-1', CDK_CLI_VERSION: '2' }, undefined, 'ap-south-1'],
    // The CDK CLI sets us-east-1 when it found no region: not a choice.
    [{ CDK_DEFAULT_REGION: 'us-east-1', CDK_CLI_VERSION: '2' }, undefined, undefined],
    // Without the CLI (a test, a script), CDK_DEFAULT_REGION was set by someone.
    [{ CDK_DEFAULT_REGION: 'us-east-1' }, undefined, 'us-east-1'],
    [{}, undefined, undefined],
  ])('from %o and profile region %s is %s', (env, profile, region) => {
    expect(regionFromEnvironment(env, profile)).toBe(region);
  });

  it('warns under the CDK CLI when it found no region and fell back to us-east-1', () => {
    const config = readAppConfig(context({}), {
      CDK_DEFAULT_REGION: 'us-east-1',
      CDK_CLI_VERSION: '2.1148.1',
    });
    expect(config).toMatchObject({ homeRegion: 'us-east-1', homeRegionDefaulted: true });
  });

  it("reads the profile's region from an AWS config file", () => {
    const file = '[default]\nregion = eu-west-1\n\n[profile prod]\noutput = json\nregion=ap-southeast-2\n';
    expect(profileRegionIn(file, 'default')).toBe('eu-west-1');
    expect(profileRegionIn(file, 'prod')).toBe('ap-southeast-2');
    expect(profileRegionIn(file, 'other')).toBeUndefined();
  });
});

describe('the CDK app on a bad context', () => {
  it.each([
    [{ windowMinutes: 'abc' }, 'launch-loop-guard: context windowMinutes must be a number, got "abc"\n'],
    [
      { windowMinute: '30' },
      'launch-loop-guard: context windowMinute is not a key launch-loop-guard reads (did you mean windowMinutes?); the keys are listed in the README, "Deploy"\n',
    ],
    [
      { orgTargets: 'ou-ab12-11111111', orgId: 'nope' },
      /^launch-loop-guard: context orgId must be the organization id \(o-x+\), got "nope"\n$/,
    ],
  ])('prints one line and exits 1: %o', (values, line) => {
    // Act
    const result = runApp(values);
    // Assess
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    if (typeof line === 'string') expect(result.stderr).toBe(line);
    else expect(result.stderr).toMatch(line);
  });
});

describe('cdk.json', () => {
  it('sets every feature flag aws-cdk-lib recommends, with the recommended value', () => {
    // Prepare
    const recommended = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', 'aws-cdk-lib', 'recommended-feature-flags.json'), 'utf8'),
    ) as Record<string, unknown>;
    const cdk = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as {
      context: Record<string, unknown>;
    };
    // Assess
    expect(Object.keys(recommended).length).toBeGreaterThan(80);
    for (const [flag, value] of Object.entries(recommended)) expect(cdk.context[flag], flag).toEqual(value);
  });
});
