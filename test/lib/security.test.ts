/**
 * The README's "Security" section, checked on the synthesized templates of every deployment shape:
 * AWS Control Tower's proactive controls (run with cfn-guard and the rules AWS publishes) and the
 * least-privilege rules.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ControlFailure,
  controlTowerFailures,
  templatesUnder,
} from '../../fake-cloud/support/cfn-guard';
import { buildApp, buildOrganizationApp, readAppConfig } from '../../lib/app';

const ACCOUNT = '123456789012';
const MEMBER_ACCOUNT = '210987654321';
const VPC = {
  vpcSubnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
  vpcId: 'vpc-0123456789abcdef0',
};
const ORG = { orgTargets: 'ou-ab12-abcdefgh', orgId: 'o-abcdefghij' };

/** The deployment shapes, as `cdk synth -c …` would build them. */
const SHAPES = {
  /** One account, the defaults (with a trail, so that every bucket control is exercised). */
  defaults: { createTrail: 'true' },
  /** One account: controlTower, the VPC, the log bucket and every other option on. */
  account: {
    ...VPC,
    controlTower: 'true',
    accessLogsBucket: `access-logs-\${AWS::AccountId}`,
    createTrail: 'true',
    regions: 'eu-west-2',
    emails: 'oncall@example.com',
    autoResume: 'true',
    noLaunchEventsAlarmHours: 12,
    reservedConcurrency: 20,
    amiChangeAlerts: 'all',
    slackWorkspaceId: 'T0123ABCD',
    slackChannelId: 'C0456EFGH',
    slackWebhookSecretName: 'llg/slack',
  },
  central: {
    ...VPC,
    ...ORG,
    orgMode: 'central',
    controlTower: 'true',
    accessLogsBucket: `access-logs-\${AWS::AccountId}`,
    createTrail: 'true',
    regions: 'eu-west-2',
    orgOperatorPrincipals: `arn:aws:iam::${ACCOUNT}:role/SreOperators`,
  },
  stackset: {
    ...ORG,
    orgMode: 'stackset',
    controlTower: 'true',
    accessLogsBucket: `access-logs-\${AWS::AccountId}-\${AWS::Region}`,
    createTrail: 'true',
    regions: 'eu-west-2',
  },
} as const;
type Shape = keyof typeof SHAPES;

const roots: string[] = [];
const synthesized = new Map<Shape, { templates: string[]; errors: string[] }>();

function synth(shape: Shape): { templates: string[]; errors: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `llg-security-${shape}-`));
  roots.push(outdir);
  const app = new App({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [],
      homeRegion: 'eu-west-1',
      account: ACCOUNT,
      ...SHAPES[shape],
    },
  });
  const config = readAppConfig((k) => app.node.tryGetContext(k), {});
  if (config.org === undefined) buildApp(app, config);
  else buildOrganizationApp(app, config);
  const assembly = app.synth();
  const errors = assembly.stacks.flatMap((s) =>
    s.messages
      .filter((m) => m.level === 'error')
      .map((m) => `${s.stackName} ${m.id}: ${String(m.entry.data)}`),
  );
  return { templates: templatesUnder(outdir), errors };
}

function shapeOf(shape: Shape) {
  const built = synthesized.get(shape);
  if (built === undefined) throw new Error(`${shape} was not synthesized`);
  return built;
}

/**
 * A stack set member template as CloudFormation hands it to a Control Tower hook in one member
 * account: `Fn::Sub` of the account and region in the access-log bucket name resolved. The rules
 * accept only a literal or a local bucket for `DestinationBucketName`.
 */
function asMemberAccountSees(template: string, dir: string): string {
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const sub = (v as Record<string, unknown>)['Fn::Sub'];
    if (typeof sub === 'string' && sub.startsWith('access-logs-')) {
      return sub.replace(`\${AWS::AccountId}`, MEMBER_ACCOUNT).replace(`\${AWS::Region}`, 'eu-west-1');
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };
  const out = path.join(dir, `member-${path.basename(template)}`);
  fs.writeFileSync(out, JSON.stringify(resolve(JSON.parse(fs.readFileSync(template, 'utf8')))));
  return out;
}

/** The README's table of controls: rule name → how it is met (`default`, a switch or a prop). */
function readmeControls(): Map<string, string> {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Security'));
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\|\s*`([a-z0-9_]+_check)`\s*\|[^|]+\|\s*`?([A-Za-z]+)`?\s*\|/gm)) {
    rows.set(m[1] as string, m[2] as string);
  }
  return rows;
}

beforeAll(() => {
  for (const shape of Object.keys(SHAPES) as Shape[]) synthesized.set(shape, synth(shape));
}, 300_000);

afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

describe('AWS Control Tower proactive controls (cfn-guard)', () => {
  let failures: Record<Shape, ControlFailure[]>;

  beforeAll(() => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'llg-security-member-'));
    roots.push(scratch);
    // One cfn-guard run for every template of every shape: loading the 237 rules is the slow part.
    const byTemplate = new Map<string, Shape>();
    for (const shape of Object.keys(SHAPES) as Shape[]) {
      for (const t of shapeOf(shape).templates) {
        const sub = path.join(scratch, shape);
        fs.mkdirSync(sub, { recursive: true });
        byTemplate.set(t.includes(`${path.sep}stackset.`) ? asMemberAccountSees(t, sub) : t, shape);
      }
    }
    const all = controlTowerFailures([...byTemplate.keys()]);
    failures = Object.fromEntries(
      (Object.keys(SHAPES) as Shape[]).map((shape) => [
        shape,
        all
          .filter((f) => byTemplate.get(f.template) === shape)
          .map((f) => ({ template: path.basename(f.template), rule: f.rule })),
      ]),
    ) as Record<Shape, ControlFailure[]>;
  }, 300_000);

  it('runs the 237 controls AWS publishes, with the binary the package ships', () => {
    // Assess: a rule directory that moved or emptied would make every check pass.
    const rules = fs
      .readdirSync(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), {
        recursive: true,
        encoding: 'utf8',
      })
      .filter((f) => f.includes('control-tower') && f.endsWith('.guard'));
    expect(rules).toHaveLength(237);
    expect(failures.defaults.length).toBeGreaterThan(0);
  });

  it('passes every control in one account with controlTower, the VPC, the log bucket and every option', () => {
    expect(shapeOf('account').templates.length).toBe(2);
    expect(failures.account).toEqual([]);
  });

  it('passes every control in central mode with controlTower (stack set templates included)', () => {
    expect(shapeOf('central').templates.length).toBe(4);
    expect(failures.central).toEqual([]);
  });

  it("passes every control in stack-set mode with controlTower but the VPC one of the members' guard", () => {
    // The members' subnets differ per account: lambda_inside_vpc_check is not counted there.
    expect(shapeOf('stackset').templates.length).toBe(4);
    expect(failures.stackset).toEqual([
      { template: 'member-Guard.template.json', rule: 'lambda_inside_vpc_check' },
    ]);
  });

  it('fails with the defaults exactly the controls the README says need the switch or your resources', () => {
    // Prepare
    const table = readmeControls();
    const notDefault = [...table].filter(([, how]) => how !== 'default').map(([rule]) => rule);
    // Assess
    expect(table.size).toBeGreaterThanOrEqual(12);
    expect([...new Set(failures.defaults.map((f) => f.rule))].sort()).toEqual(notDefault.sort());
    for (const rule of table.keys()) {
      expect(fs.existsSync(CONTROL_RULE_FILES) && ruleExists(rule), rule).toBe(true);
    }
  });
});

const CONTROL_RULE_FILES = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);

function ruleExists(rule: string): boolean {
  return fs
    .readdirSync(CONTROL_RULE_FILES, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.guard'))
    .some((f) => fs.readFileSync(path.join(CONTROL_RULE_FILES, f), 'utf8').includes(`rule ${rule} `));
}

type Statement = {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Principal?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
type Resource = { Type: string; Properties?: Record<string, unknown> };

function resources(shape: Shape): { template: string; id: string; resource: Resource }[] {
  return shapeOf(shape).templates.flatMap((template) => {
    const json = JSON.parse(fs.readFileSync(template, 'utf8')) as { Resources?: Record<string, Resource> };
    return Object.entries(json.Resources ?? {}).map(([id, resource]) => ({
      template: path.basename(template),
      id,
      resource,
    }));
  });
}

function statementsOf(doc: unknown): Statement[] {
  if (doc === undefined || doc === null) return [];
  const s = (doc as { Statement?: Statement | Statement[] }).Statement;
  return s === undefined ? [] : Array.isArray(s) ? s : [s];
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Resource policies (who may act on a resource), by resource type. */
function resourcePolicies(shape: Shape): { where: string; statement: Statement }[] {
  return resources(shape).flatMap(({ template, id, resource }) => {
    const p = resource.Properties ?? {};
    const docs =
      resource.Type === 'AWS::KMS::Key'
        ? [p.KeyPolicy]
        : resource.Type === 'AWS::IAM::Role'
          ? [p.AssumeRolePolicyDocument]
          : ['AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy', 'AWS::S3::BucketPolicy'].includes(
                resource.Type,
              )
            ? [p.PolicyDocument]
            : resource.Type === 'AWS::Events::EventBusPolicy'
              ? [{ Statement: p.Statement }]
              : [];
    return docs.flatMap((d) =>
      statementsOf(d).map((statement) => ({ where: `${template} ${id}`, statement })),
    );
  });
}

/** Identity policies (what a role may do). */
function identityStatements(shape: Shape): { where: string; statement: Statement }[] {
  return resources(shape).flatMap(({ template, id, resource }) => {
    const p = resource.Properties ?? {};
    const docs =
      resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy'
        ? [p.PolicyDocument]
        : resource.Type === 'AWS::IAM::Role'
          ? list(p.Policies).map((x) => (x as { PolicyDocument: unknown }).PolicyDocument)
          : [];
    return docs.flatMap((d) =>
      statementsOf(d).map((statement) => ({ where: `${template} ${id}`, statement })),
    );
  });
}

/**
 * Execution roles: a function or a channel gets one through iam:PassRole by a principal of this
 * account, so the confused-deputy conditions do not apply (and Lambda documents none).
 */
const EXECUTION_ROLE_SERVICES = ['lambda.amazonaws.com', 'chatbot.amazonaws.com'];
const SOURCE_KEYS = /^(aws:SourceAccount|aws:SourceArn|aws:SourceOrgID|kms:EncryptionContext:aws:logs:arn)$/;

describe.each(Object.keys(SHAPES) as Shape[])('least privilege in the %s shape', (shape) => {
  it('conditions every service principal of a resource policy on the source account or ARN', () => {
    const grants = resourcePolicies(shape).filter(
      ({ statement }) =>
        statement.Effect === 'Allow' &&
        list((statement.Principal as { Service?: unknown } | undefined)?.Service).some(
          (s) => !EXECUTION_ROLE_SERVICES.includes(JSON.stringify(s).replace(/"/g, '')),
        ),
    );
    expect(grants.length).toBeGreaterThan(0);
    for (const { where, statement } of grants) {
      const keys = Object.values(statement.Condition ?? {}).flatMap((c) => Object.keys(c));
      expect(
        keys.some((k) => SOURCE_KEYS.test(k)),
        `${where} ${JSON.stringify(statement)}`,
      ).toBe(true);
    }
  });

  it('allows no Auto Scaling write on *, and tag writes on launch-loop-guard: keys only', () => {
    const allows = identityStatements(shape).filter(({ statement }) => statement.Effect === 'Allow');
    const writes = allows.filter(({ statement }) =>
      list(statement.Action).some((a) => typeof a === 'string' && /^autoscaling:(?!Describe)/.test(a)),
    );
    for (const { where, statement } of writes) {
      expect(list(statement.Resource), where).not.toContain('*');
      if (list(statement.Action).some((a) => /Tags$/.test(String(a)))) {
        expect(statement.Condition?.['ForAllValues:StringLike'], where).toEqual({
          'aws:TagKeys': ['launch-loop-guard:*'],
        });
      }
    }
    const suspends = writes.filter(({ statement }) =>
      list(statement.Action).includes('autoscaling:SuspendProcesses'),
    );
    const denies = identityStatements(shape).filter(
      ({ statement }) =>
        statement.Effect === 'Deny' && list(statement.Action).includes('autoscaling:SuspendProcesses'),
    );
    expect(denies.length).toBe(suspends.length);
  });

  it('attaches no AWS managed policy, simulates no reserved role, and trusts no whole account for the operators', () => {
    for (const { resource, id } of resources(shape).filter((r) => r.resource.Type === 'AWS::IAM::Role')) {
      expect(resource.Properties?.ManagedPolicyArns, id).toBeUndefined();
    }
    for (const { where, statement } of identityStatements(shape)) {
      if (statement.Effect === 'Allow' && list(statement.Action).includes('iam:SimulatePrincipalPolicy')) {
        expect(list(statement.Resource), where).not.toContain('*');
      }
    }
    const operators = resources(shape).filter(
      (r) =>
        r.resource.Type === 'AWS::IAM::Role' && r.resource.Properties?.RoleName === 'LaunchLoopGuardOperator',
    );
    for (const { resource } of operators) {
      const principal = statementsOf(resource.Properties?.AssumeRolePolicyDocument)[0]?.Principal;
      expect(JSON.stringify(principal)).not.toMatch(/:root/);
    }
    expect(operators.length).toBe(shape === 'central' ? 1 : 0);
  });

  it('leaves cdk-nag with no unsuppressed error', () => {
    expect(shapeOf(shape).errors).toEqual([]);
  });
});
