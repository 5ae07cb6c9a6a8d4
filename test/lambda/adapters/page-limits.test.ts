/**
 * Every page size the adapters send (`MaxRecords`, `MaxResults`, `maxResults`, `Limit`) is
 * within the limit AWS documents, read from the installed SDK's own service documentation.
 *
 * The calls are discovered, not listed: each public method of each adapter runs once (a method
 * without a driver does not compile), every command sent is captured, and every `…Command` that
 * an adapter's source constructs must have been seen. AWS validates request ranges and refuses
 * the call (DescribeWarmPool with MaxRecords 100 made every warm-pool group unreadable); mocks
 * never do, hence this test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeWarmPoolCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeImagesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
} from '@aws-sdk/client-ecs';
import { GetInstanceProfileCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import {
  DescribeAccountCommand,
  ListParentsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { type LocalDynamo, startDynamo } from '../../../fake-cloud/support/dynalite';
import { OrganizationsAccountNames } from '../../../lambda/adapters/account-names';
import { AutoScalingSuspender } from '../../../lambda/adapters/asg-suspender';
import { SqsDeadlineQueue } from '../../../lambda/adapters/deadline-queue';
import { Ec2BillingFacts } from '../../../lambda/adapters/ec2-billing';
import { Ec2ImageInfo } from '../../../lambda/adapters/ec2-diagnosis';
import { Ec2InstanceStates } from '../../../lambda/adapters/ec2-instances';
import { SdkEcsRegistry } from '../../../lambda/adapters/ecs-registry';
import { IamRoleReader } from '../../../lambda/adapters/iam-role';
import { Ec2LaunchTemplateReader } from '../../../lambda/adapters/launch-template';
import { MemberAccounts } from '../../../lambda/adapters/member-credentials';
import { SnsNotifier } from '../../../lambda/adapters/notifier';
import { OrganizationsTargets } from '../../../lambda/adapters/org-targets';
import { PriceListOnDemand } from '../../../lambda/adapters/price-list';
import { EventBridgeResumeScheduler } from '../../../lambda/adapters/scheduler';
import { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import { tripOwner } from '../../../lambda/core/claim';
import type { ScopeKey } from '../../../lambda/core/types';
import { incidentAmiChange } from '../core/example-ami-change';
import { suspendedReport } from '../core/example-reports';

const requireFromHere = createRequire(__filename);
const ROOT = path.resolve(__dirname, '../../..');
const CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'y' };
const REGION = 'us-west-2';
const GROUP = 'ecs-asg';
const KEY: ScopeKey = { scope: 'asg', account: '111122223333', region: REGION, key: GROUP };
const T0 = Date.UTC(2025, 11, 9, 12, 0, 0);

/** Page-size members, as the services spell them. */
const PAGE_FIELDS = ['MaxRecords', 'MaxResults', 'maxResults', 'Limit'] as const;

/**
 * Limits the SDK's documentation does not state in a form read below, copied from the API
 * reference (each with its page). A page-size field with neither fails the test.
 */
const API_REFERENCE_LIMITS: Readonly<Record<string, { min: number; max: number; source: string }>> = {
  // "The maximum number of container instance results that ListContainerInstances returned in
  // paginated output. … This value can be between 1 and 100."
  'ListContainerInstances.maxResults': {
    min: 1,
    max: 100,
    source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListContainerInstances.html',
  },
  // "The maximum number of items to return for this request." — Valid range: 1–1000.
  'DescribeSpotPriceHistory.MaxResults': {
    min: 1,
    max: 1000,
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotPriceHistory.html',
  },
  // "The maximum number of results to return in the response." — Valid Range: 1 to 100.
  'GetProducts.MaxResults': {
    min: 1,
    max: 100,
    source:
      'https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html',
  },
  // "The maximum number of items to evaluate" — Valid Range: Minimum value of 1; no maximum.
  'Scan.Limit': {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html',
  },
};

/** The SDK package of each client, where its service documentation ships. */
const PACKAGE_OF = {
  AutoScaling: '@aws-sdk/client-auto-scaling',
  DynamoDB: '@aws-sdk/client-dynamodb',
  EC2: '@aws-sdk/client-ec2',
  SNS: '@aws-sdk/client-sns',
  Scheduler: '@aws-sdk/client-scheduler',
  ECS: '@aws-sdk/client-ecs',
  SQS: '@aws-sdk/client-sqs',
  STS: '@aws-sdk/client-sts',
  IAM: '@aws-sdk/client-iam',
  Organizations: '@aws-sdk/client-organizations',
  Pricing: '@aws-sdk/client-pricing',
} as const;
type Service = keyof typeof PACKAGE_OF;

interface SentCommand {
  readonly service: Service;
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------------
// The service documentation of the installed SDK

function packageDir(pkg: string): string {
  return path.dirname(requireFromHere.resolve(`${pkg}/package.json`));
}

const modelText = new Map<string, string>();
function modelsOf(pkg: string): string {
  let text = modelText.get(pkg);
  if (text === undefined) {
    const dir = path.join(packageDir(pkg), 'dist-types', 'models');
    text = readdirSync(dir)
      .filter((f) => f.endsWith('.d.ts'))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    modelText.set(pkg, text);
  }
  return text;
}

/** The documented [min, max] of a page-size member, from the SDK's TSDoc, else undefined. */
function sdkLimit(pkg: string, command: string, field: string): { min: number; max: number } | undefined {
  const commandDts = readFileSync(
    path.join(packageDir(pkg), 'dist-types', 'commands', `${command}.d.ts`),
    'utf8',
  );
  const base = new RegExp(`export interface ${command}Input extends (\\w+)`).exec(commandDts)?.[1];
  if (base === undefined) return undefined;
  const models = modelsOf(pkg);
  const start = models.indexOf(`export interface ${base} {`);
  if (start < 0) return undefined;
  const body = models.slice(start, models.indexOf('\n}\n', start));
  const member = body.indexOf(`    ${field}?:`);
  if (member < 0) return undefined;
  // The member's TSDoc as one line of text: no comment stars, no HTML tags.
  const doc = body
    .slice(body.lastIndexOf('/**', member), member)
    .replace(/\n\s*\*\/?/g, ' ')
    .replace(/<[^>]+>/g, '');
  const max = /maximum value is\s*(\d+)/i.exec(doc);
  if (max) return { min: 1, max: Number(max[1]) };
  const between = /between\s+(\d+)\s+and\s+(\d+)/i.exec(doc);
  if (between) return { min: Number(between[1]), max: Number(between[2]) };
  const range = /valid range:?\s*(\d+)\s*[-–]\s*(\d+)/i.exec(doc);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  return undefined;
}

function isPaginated(pkg: string, command: string): boolean {
  const mod = requireFromHere(pkg) as Record<string, unknown>;
  return typeof mod[`paginate${command.replace(/Command$/, '')}`] === 'function';
}

// ---------------------------------------------------------------------------------------------
// Run every adapter method once and capture what it sends

const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);
const ecs = mockClient(ECSClient);
const sqs = mockClient(SQSClient);
const sts = mockClient(STSClient);
const orgs = mockClient(OrganizationsClient);
const iam = mockClient(IAMClient);
const pricing = mockClient(PricingClient);
/** What each mocked client was sent, as `(service, sinon calls)`. */
const MOCKS: ReadonlyArray<readonly [Service, () => ReadonlyArray<{ readonly args: readonly unknown[] }>]> = [
  ['AutoScaling', () => asg.calls()],
  ['EC2', () => ec2.calls()],
  ['SNS', () => sns.calls()],
  ['Scheduler', () => scheduler.calls()],
  ['ECS', () => ecs.calls()],
  ['SQS', () => sqs.calls()],
  ['STS', () => sts.calls()],
  ['Organizations', () => orgs.calls()],
  ['IAM', () => iam.calls()],
  ['Pricing', () => pricing.calls()],
];

let db: LocalDynamo;
const dynamoSent: SentCommand[] = [];

beforeAll(async () => {
  db = await startDynamo();
  // DynamoDB runs for real on dynalite; a middleware records each command on its way out.
  db.client.middlewareStack.add(
    (next, context) => async (args) => {
      dynamoSent.push({
        service: 'DynamoDB',
        command: String(context.commandName),
        input: args.input as Record<string, unknown>,
      });
      return next(args);
    },
    { step: 'initialize', name: 'captureForPageLimits' },
  );
});
afterAll(async () => {
  await db.close();
});

function answerEveryPaginatedCallWithTwoPages(): void {
  const group = { ...autoScalingGroup(GROUP, { region: REGION }), WarmPoolConfiguration: { MinSize: 1 } };
  asg.resolves({});
  asg
    .on(DescribeAutoScalingGroupsCommand)
    .resolvesOnce({ AutoScalingGroups: [group], NextToken: 'page-2' })
    .resolves({ AutoScalingGroups: [group] });
  asg
    .on(DescribeWarmPoolCommand)
    .resolvesOnce({ Instances: [], NextToken: 'page-2' })
    .resolves({ Instances: [] });
  asg.resolves({});
  ec2.on(DescribeImagesCommand).resolves({ Images: [] });
  ec2.on(DescribeInstancesCommand).resolves({
    Reservations: [{ Instances: [{ InstanceId: 'i-0123456789abcdef0', State: { Name: 'running' } }] }],
  });
  ec2.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: [] });
  ecs
    .on(DescribeCapacityProvidersCommand)
    .resolvesOnce({
      capacityProviders: [{ name: 'cp', autoScalingGroupProvider: { autoScalingGroupArn: 'arn:g' } }],
      nextToken: 'page-2',
    })
    .resolves({ capacityProviders: [] });
  ecs.on(ListClustersCommand).resolves({ clusterArns: ['arn:aws:ecs:us-west-2:1:cluster/prod'] });
  ecs
    .on(DescribeClustersCommand)
    .resolves({ clusters: [{ clusterName: 'prod', capacityProviders: ['cp'] }] });
  ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: ['arn:ci/1'] });
  ecs.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [] });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'a',
      SecretAccessKey: 's',
      SessionToken: 't',
      Expiration: new Date(T0 + 3_600_000),
    },
  });
  iam.on(GetInstanceProfileCommand).resolves({});
  iam.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [] });
  orgs.on(DescribeAccountCommand).resolves({ Account: { Id: '222222222222', Name: 'member' } });
  orgs.on(ListParentsCommand).resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  pricing.on(GetProductsCommand).resolves({ PriceList: [] });
  scheduler
    .on(CreateScheduleCommand)
    .resolves({ ScheduleArn: 'arn:aws:scheduler:us-west-2:111122223333:schedule/g/n' });
}

type Drivers<T> = { readonly [K in keyof T]: (adapter: T) => Promise<unknown> };

const suspenderDrivers: Drivers<AutoScalingSuspender> = {
  describeGroup: (a) => a.describeGroup(REGION, GROUP),
  suspend: (a) => a.suspend(REGION, GROUP, ['Launch']),
  resume: (a) => a.resume(REGION, GROUP, ['Launch']),
  tagGroup: (a) => a.tagGroup(REGION, GROUP, { k: 'v' }),
  untagGroup: (a) => a.untagGroup(REGION, GROUP, ['k']),
  listSuspendedGroups: (a) => a.listSuspendedGroups(REGION),
  departures: (a) => a.departures(REGION, GROUP),
  launchHookMs: (a) => a.launchHookMs(REGION, GROUP),
};

const ecsDrivers: Drivers<SdkEcsRegistry> = {
  clusterOfGroup: (a) => a.clusterOfGroup(REGION, 'arn:g'),
  registered: (a) => a.registered(REGION, 'prod', ['i-0123456789abcdef0']),
  registrations: (a) => a.registrations(REGION, 'prod', ['i-0123456789abcdef0']),
};

const instanceDrivers: Drivers<Ec2InstanceStates> = {
  stateReasons: (a) => a.stateReasons(REGION, ['i-0123456789abcdef0']),
  launchFacts: (a) => a.launchFacts(REGION, ['i-0123456789abcdef0']),
};

const accountNameDrivers: Drivers<OrganizationsAccountNames> = {
  nameOf: (a) => a.nameOf('222222222222'),
};

const targetDrivers: Drivers<OrganizationsTargets> = {
  isTarget: (a) => a.isTarget('222222222222'),
};

const memberDrivers: Drivers<MemberAccounts> = {
  isMember: async (a) => a.isMember('222222222222'),
  credentials: async (a) => a.credentials('222222222222')?.(),
  client: async (a) => a.client('222222222222', REGION, (options) => options.credentials?.()),
};

const launchTemplateDrivers: Drivers<Ec2LaunchTemplateReader> = {
  read: (a) => a.read(REGION, { id: 'lt-0123456789abcdef0', version: '3' }),
};

const roleDrivers: Drivers<IamRoleReader> = {
  roleOfProfile: (a) => a.roleOfProfile('web-profile'),
  simulate: (a) => a.simulate('arn:aws:iam::111122223333:role/web', ['ecs:Poll']),
};

const queueDrivers: Drivers<SqsDeadlineQueue> = {
  schedule: (a) => a.schedule({ account: '111122223333', region: REGION, group: GROUP, launches: [] }, 605),
};

const counterDrivers: Drivers<DynamoDbScopeStore> = {
  record: (a) =>
    a.record(
      {
        key: KEY,
        mentions: [{ instanceId: 'i-0123456789abcdef0', time: T0 }],
        callers: [],
        imageIds: ['ami-0abc1234def567890'],
        groupNames: [],
        now: T0,
      },
      { threshold: 10, windowMs: 3_600_000 },
    ),
  saveSettings: (a) => a.saveSettings(KEY, { threshold: 5, windowMs: 3_600_000, exempt: false }),
  claimTrip: (a) => a.claimTrip(KEY, 0, tripOwner('owner'), T0),
  saveProgress: (a) => a.saveProgress(KEY, 0, tripOwner('owner'), { step: 'claimed' }),
  releaseTrip: (a) => a.releaseTrip(KEY, 0, tripOwner('owner')),
  saveFates: (a) => a.saveFates(KEY, new Map([['i-0123456789abcdef0', 'failed:not-registered:1768204800']])),
  readFates: (a) => a.readFates(KEY),
  saveLearned: (a) => a.saveLearned(KEY, [90, 120]),
  rearm: (a) => a.rearm(KEY, 0),
  read: (a) => a.read(KEY),
  clearScope: (a) => a.clearScope(KEY),
  setResumeStreak: (a) => a.setResumeStreak(KEY, 1, T0),
  listScopes: (a) =>
    a.listScopes({
      asg: { threshold: 10, windowMs: 3_600_000 },
      ami: { threshold: 50, windowMs: 3_600_000 },
    }),
};

const notifierDrivers: Drivers<SnsNotifier> = {
  publishTrip: (a) => a.publishTrip(suspendedReport()),
  publishText: (a) => a.publishText('subject', 'body', {}),
  publishAmiChange: (a) => a.publishAmiChange(incidentAmiChange()),
};

const schedulerDrivers: Drivers<EventBridgeResumeScheduler> = {
  schedule: (a) =>
    a.schedule('n', Date.UTC(2030, 0, 1), {
      account: '111122223333',
      region: REGION,
      groupName: GROUP,
      processes: ['Launch'],
      trip: 1,
    }),
};

const billingDrivers: Drivers<Ec2BillingFacts> = {
  instances: (a) => a.instances(REGION, [{ instanceId: 'i-0123456789abcdef0', launchedAt: T0 }]),
  spotPrices: (a) => a.spotPrices(REGION, 'm5.large', 'Linux/UNIX', T0),
};

const priceListDrivers: Drivers<PriceListOnDemand> = {
  onDemandHourly: (a) => a.onDemandHourly({ region: REGION, instanceType: 'm5.large', market: 'on-demand' }),
};

const imageDrivers: Drivers<Ec2ImageInfo> = {
  describe: (a) => a.describe(REGION, ['ami-0abc1234def567890', 'ami-0fedcba9876543210']),
};

async function runAll<T>(adapter: T, drivers: Drivers<T>): Promise<void> {
  for (const drive of Object.values(drivers) as ((a: T) => Promise<unknown>)[]) await drive(adapter);
}

async function sendEverything(): Promise<SentCommand[]> {
  answerEveryPaginatedCallWithTwoPages();
  await runAll(
    new AutoScalingSuspender((region) => new AutoScalingClient({ region, credentials: CREDENTIALS })),
    suspenderDrivers,
  );
  await runAll(new DynamoDbScopeStore(db.client, await db.createTable(), 7 * 24 * 3_600_000), counterDrivers);
  await runAll(
    new SnsNotifier(
      new SNSClient({ region: REGION, credentials: CREDENTIALS }),
      'arn:aws:sns:us-west-2:1:t',
      'arn:aws:sns:us-west-2:1:c',
    ),
    notifierDrivers,
  );
  await runAll(
    new EventBridgeResumeScheduler(new SchedulerClient({ region: REGION, credentials: CREDENTIALS }), {
      scheduleGroup: 'g',
      schedulerRoleArn: 'arn:aws:iam::111122223333:role/r',
      targetArn: 'arn:aws:lambda:us-west-2:111122223333:function:f',
    }),
    schedulerDrivers,
  );
  await runAll(
    new Ec2ImageInfo((region) => new EC2Client({ region, credentials: CREDENTIALS })),
    imageDrivers,
  );
  await runAll(
    new SdkEcsRegistry((region) => new ECSClient({ region, credentials: CREDENTIALS })),
    ecsDrivers,
  );
  await runAll(
    new Ec2InstanceStates((region) => new EC2Client({ region, credentials: CREDENTIALS })),
    instanceDrivers,
  );
  await runAll(
    new Ec2BillingFacts((region) => new EC2Client({ region, credentials: CREDENTIALS })),
    billingDrivers,
  );
  await runAll(
    new PriceListOnDemand((region) => new PricingClient({ region, credentials: CREDENTIALS })),
    priceListDrivers,
  );
  await runAll(
    new SqsDeadlineQueue(new SQSClient({ region: REGION, credentials: CREDENTIALS }), 'https://sqs/q'),
    queueDrivers,
  );
  await runAll(
    new Ec2LaunchTemplateReader((region) => new EC2Client({ region, credentials: CREDENTIALS })),
    launchTemplateDrivers,
  );
  await runAll(new IamRoleReader(new IAMClient({ region: REGION, credentials: CREDENTIALS })), roleDrivers);
  await runAll(
    new OrganizationsAccountNames(new OrganizationsClient({ region: REGION, credentials: CREDENTIALS })),
    accountNameDrivers,
  );
  await runAll(
    new OrganizationsTargets(new OrganizationsClient({ region: REGION, credentials: CREDENTIALS }), [
      'ou-ab12-cdef3456',
    ]),
    targetDrivers,
  );
  await runAll(
    new MemberAccounts(
      new STSClient({ region: REGION, credentials: CREDENTIALS }),
      {
        memberRoleArn: 'arn:aws:iam::{account}:role/LaunchLoopGuardMember',
        homeAccount: '111122223333',
      },
      () => T0,
    ),
    memberDrivers,
  );
  const mocked = MOCKS.flatMap(([service, calls]) =>
    calls().map((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      return { service, command: command.constructor.name, input: command.input };
    }),
  );
  return [...mocked, ...dynamoSent];
}

/** Every `new XCommand(` in the adapters' sources. */
function commandsInAdapterSources(): string[] {
  const dir = path.join(ROOT, 'lambda', 'adapters');
  const found = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(path.join(dir, file), 'utf8').matchAll(/new (\w+Command)\(/g))
      found.add(m[1]!);
  }
  return [...found].sort();
}

describe('page sizes the adapters send', () => {
  let sent: SentCommand[];
  beforeAll(async () => {
    sent = await sendEverything();
  });

  it('discovers every command an adapter constructs, so a new call cannot slip past', () => {
    const seen = new Set(sent.map((s) => s.command));
    const missing = commandsInAdapterSources().filter((c) => !seen.has(c));
    expect(missing).toEqual([]);
  });

  it('finds the paginated calls, EC2 and DynamoDB included, and pages the warm pool and the group list', () => {
    const paginated = new Set(
      sent
        .filter((s) => isPaginated(PACKAGE_OF[s.service], s.command))
        .map((s) => `${s.service}.${s.command}`),
    );
    expect([...paginated].sort()).toEqual([
      'AutoScaling.DescribeAutoScalingGroupsCommand',
      'AutoScaling.DescribeScalingActivitiesCommand',
      'AutoScaling.DescribeWarmPoolCommand',
      'DynamoDB.ScanCommand',
      'EC2.DescribeImagesCommand',
      // With `InstanceIds` (at most 100, the running launches of an AMI outside any group) EC2 answers in one page.
      'EC2.DescribeInstanceStatusCommand',
      'EC2.DescribeInstancesCommand',
      'EC2.DescribeLaunchTemplateVersionsCommand',
      'EC2.DescribeSpotPriceHistoryCommand',
      'ECS.ListClustersCommand',
      'ECS.ListContainerInstancesCommand',
      'IAM.SimulatePrincipalPolicyCommand',
      // An account or OU has a single parent (Organizations API reference, ListParents): one page.
      'Organizations.ListParentsCommand',
      'Pricing.GetProductsCommand',
    ]);
    // Both loops followed NextToken to a second page.
    expect(
      sent.filter((s) => s.command === 'DescribeWarmPoolCommand' && s.input['NextToken'] === 'page-2'),
    ).toHaveLength(1);
  });

  it('keeps every page size within the limit the service documents', () => {
    const checked: string[] = [];
    const problems: string[] = [];
    for (const s of sent) {
      for (const field of PAGE_FIELDS) {
        const value = s.input[field];
        if (value === undefined) continue;
        const operation = s.command.replace(/Command$/, '');
        const limit =
          sdkLimit(PACKAGE_OF[s.service], s.command, field) ?? API_REFERENCE_LIMITS[`${operation}.${field}`];
        if (limit === undefined) {
          problems.push(
            `${operation}.${field}: no documented limit (add it from the API reference, with its URL)`,
          );
          continue;
        }
        if (typeof value !== 'number' || !Number.isInteger(value) || value < limit.min || value > limit.max) {
          problems.push(`${operation}.${field} = ${String(value)}, allowed ${limit.min}..${limit.max}`);
        }
        checked.push(`${operation}.${field}=${String(value)}`);
      }
    }
    expect(problems).toEqual([]);
    expect([...new Set(checked)].sort()).toEqual([
      'DescribeAutoScalingGroups.MaxRecords=100',
      'DescribeCapacityProviders.maxResults=10',
      'DescribeScalingActivities.MaxRecords=100',
      'DescribeSpotPriceHistory.MaxResults=100',
      'DescribeWarmPool.MaxRecords=50',
      'GetProducts.MaxResults=10',
      'ListClusters.maxResults=100',
      'ListContainerInstances.maxResults=100',
    ]);
  });

  it('reads the limits from the SDK documentation (DescribeWarmPool: 50, DescribeAutoScalingGroups: 100)', () => {
    expect(sdkLimit('@aws-sdk/client-auto-scaling', 'DescribeWarmPoolCommand', 'MaxRecords')).toEqual({
      min: 1,
      max: 50,
    });
    expect(
      sdkLimit('@aws-sdk/client-auto-scaling', 'DescribeAutoScalingGroupsCommand', 'MaxRecords'),
    ).toEqual({
      min: 1,
      max: 100,
    });
  });
});
