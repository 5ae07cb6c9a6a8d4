/**
 * What the README says about the stack is what the stack is: its architecture section names every
 * kind of resource the synthesized stacks create, its Security section lists exactly the actions
 * of the guard function's synthesized policy, and its TypeScript snippets compile against the
 * construct.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { buildOrganizationApp, readAppConfig } from '../lib/app';
import { guardStack, logicalId, roleActions } from './lib/stacks';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text of the section that starts with `heading`, up to the next heading of its level or higher. */
function section(heading: string): string {
  const start = README.indexOf(`${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const level = /^#+/.exec(heading)![0].length;
  const rest = README.slice(start + heading.length + 1);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

/** The words by which the architecture section must name each kind of resource. */
const KIND_WORDS: Readonly<Record<string, string>> = {
  'AWS::SQS::Queue': 'queue',
  'AWS::DynamoDB::Table': 'table',
  'AWS::SNS::Topic': 'topic',
  'AWS::Lambda::Function': 'function',
  'AWS::Events::Rule': 'rule',
  'AWS::CloudWatch::Alarm': 'alarm',
  'AWS::Scheduler::ScheduleGroup': 'schedule group',
  'AWS::Events::EventBus': 'bus',
  'AWS::Lambda::EventSourceMapping': 'event source mapping',
  'AWS::CloudTrail::Trail': 'trail',
};

/** The resource types of a guard with every option on, and of the organization's central stack. */
function synthesizedTypes(): Set<string> {
  const full = guardStack((stack) => ({
    autoResume: { cooldown: Duration.minutes(20) },
    createTrail: true,
    noLaunchEventsAlarmHours: 6,
    slack: {
      chatbot: { workspaceId: 'T0123456789', channelId: 'C0123456789' },
      webhookSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Hook', 'llg/slack'),
    },
  }));
  const types = new Set<string>();
  const add = (template: Template) => {
    for (const r of Object.values(template.toJSON().Resources as Record<string, { Type: string }>))
      types.add(r.Type);
  };
  add(full.template);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const config = readAppConfig(
    (key) =>
      ({
        homeRegion: 'eu-west-1',
        orgTargets: 'ou-ab12-11111111',
        orgId: 'o-abcdefghij',
        account: '123456789012',
      })[key],
    {},
  );
  const built = buildOrganizationApp(app, config);
  add(Template.fromStack(built.main));
  return types;
}

/** `service:Action` names in backticks. */
function actionsIn(text: string): string[] {
  return [...new Set([...text.matchAll(/`([a-z0-9-]+:[A-Za-z*]+)`/g)].map((m) => m[1]!))].sort();
}

describe('the README on the stack', () => {
  it('names in its architecture section every kind of resource the stacks create', () => {
    // Prepare
    const architecture = section('### Architecture').toLowerCase();
    const types = synthesizedTypes();
    // Assess: every kind the stacks create that a reader deploys on purpose is named
    const kinds = [...types].filter((t) => KIND_WORDS[t] !== undefined);
    expect(kinds).toEqual(
      expect.arrayContaining(['AWS::SQS::Queue', 'AWS::Scheduler::ScheduleGroup', 'AWS::Events::EventBus']),
    );
    for (const kind of kinds) expect(architecture, kind).toContain(KIND_WORDS[kind]);
    expect(architecture).toContain('deadline queue');
  });

  it('no longer says there is no queue', () => {
    expect(README).not.toMatch(/There is no queue/);
    expect(README).not.toMatch(/nothing polls/);
    expect(README).not.toMatch(/only failures reach the queues/);
  });

  it("lists in its Security section exactly the actions of the guard function's synthesized policy", () => {
    // Prepare
    const security = section('### Security and least privilege');
    const listed = security.slice(
      security.indexOf('The guard function may call these'),
      security.indexOf('Auto-resume, when on, adds'),
    );
    const autoResume = security.slice(
      security.indexOf('Auto-resume, when on, adds'),
      security.indexOf('Never `ec2:'),
    );
    const plain = guardStack();
    const resuming = guardStack({ autoResume: { cooldown: Duration.minutes(20) } });
    // Act
    const base = roleActions(plain.template, logicalId(plain.stack, plain.guard.handler.role as never));
    const withResume = roleActions(
      resuming.template,
      logicalId(resuming.stack, resuming.guard.handler.role as never),
    );
    // Assess
    expect(actionsIn(listed)).toEqual([...new Set(base)].sort());
    expect(actionsIn(autoResume)).toEqual([...new Set(withResume.filter((a) => !base.includes(a)))].sort());
  });
});

describe("the README's TypeScript snippets", () => {
  it('compile against the construct, with nothing undefined', () => {
    // Prepare: each ```ts block as a module; `launch-loop-guard` is this package's lib/index.ts
    const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const dir = join(ROOT, '.cache', 'readme-snippets');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [i, code] of blocks.entries())
      writeFileSync(join(dir, `snippet-${i + 1}.ts`), `${code}\nexport {};\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          paths: { 'launch-loop-guard': [join(ROOT, 'lib', 'index.ts')] },
        },
        include: ['snippet-*.ts'],
      }),
    );
    // Act
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    // Assess
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });
});
