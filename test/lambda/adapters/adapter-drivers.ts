/**
 * Runs each public method of each adapter once against mocked clients (DynamoDB for real on
 * dynalite) and captures every command sent, for ./page-limits.test.ts. A method without a
 * driver does not compile.
 */
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
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { T0 } from '../../../fake-cloud/support/clock';
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
import { WebhookUrlSource } from '../../../lambda/adapters/webhook-secret';
import { tripOwner } from '../../../lambda/core/claim';
import type { ScopeKey } from '../../../lambda/core/types';
import { incidentAmiChange } from '../core/example-ami-change';
import { suspendedReport } from '../core/example-reports';
import type { Service } from './sdk-documentation';

const CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'y' };
const REGION = 'us-west-2';
const GROUP = 'ecs-asg';
const KEY: ScopeKey = { scope: 'asg', account: '111122223333', region: REGION, key: GROUP };

/** One command an adapter sent, with its input. */
export interface SentCommand {
  readonly service: Service;
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
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
const secrets = mockClient(SecretsManagerClient);
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
  ['SecretsManager', () => secrets.calls()],
];

let db: LocalDynamo;
const dynamoSent: SentCommand[] = [];

/** Start dynalite before the file's tests, with a middleware that records each command; stop it after. */
export function useCapturedDynamo(): void {
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
}

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
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'https://hooks.slack.com/services/T0/B0/x' });
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

const webhookDrivers: Drivers<WebhookUrlSource> = {
  url: (a) => a.url(),
};

async function runAll<T>(adapter: T, drivers: Drivers<T>): Promise<void> {
  for (const drive of Object.values(drivers) as ((a: T) => Promise<unknown>)[]) await drive(adapter);
}

/** A client class that takes a region and credentials, as every SDK v3 client does. */
type ClientClass<C> = new (config: { region: string; credentials: typeof CREDENTIALS }) => C;

/** A factory of clients per region, with the test's credentials. */
function regional<C>(Client: ClientClass<C>): (region: string) => C {
  return (region) => new Client({ region, credentials: CREDENTIALS });
}

/** A client in the test's region, with the test's credentials. */
function local<C>(Client: ClientClass<C>): C {
  return new Client({ region: REGION, credentials: CREDENTIALS });
}

/** Run every adapter method once; every command sent, mocked and DynamoDB. */
export async function sendEverything(): Promise<SentCommand[]> {
  answerEveryPaginatedCallWithTwoPages();
  await runAll(new AutoScalingSuspender(regional(AutoScalingClient)), suspenderDrivers);
  await runAll(new DynamoDbScopeStore(db.client, await db.createTable(), 7 * 24 * 3_600_000), counterDrivers);
  await runAll(
    new SnsNotifier(local(SNSClient), 'arn:aws:sns:us-west-2:1:t', 'arn:aws:sns:us-west-2:1:c'),
    notifierDrivers,
  );
  await runAll(
    new EventBridgeResumeScheduler(local(SchedulerClient), {
      scheduleGroup: 'g',
      schedulerRoleArn: 'arn:aws:iam::111122223333:role/r',
      targetArn: 'arn:aws:lambda:us-west-2:111122223333:function:f',
    }),
    schedulerDrivers,
  );
  await runAll(new Ec2ImageInfo(regional(EC2Client)), imageDrivers);
  await runAll(new SdkEcsRegistry(regional(ECSClient)), ecsDrivers);
  await runAll(new Ec2InstanceStates(regional(EC2Client)), instanceDrivers);
  await runAll(new Ec2BillingFacts(regional(EC2Client)), billingDrivers);
  await runAll(new PriceListOnDemand(regional(PricingClient)), priceListDrivers);
  await runAll(new SqsDeadlineQueue(local(SQSClient), 'https://sqs/q'), queueDrivers);
  await runAll(new Ec2LaunchTemplateReader(regional(EC2Client)), launchTemplateDrivers);
  await runAll(new IamRoleReader(local(IAMClient)), roleDrivers);
  await runAll(new OrganizationsAccountNames(local(OrganizationsClient)), accountNameDrivers);
  await runAll(new OrganizationsTargets(local(OrganizationsClient), ['ou-ab12-cdef3456']), targetDrivers);
  await runAll(
    new MemberAccounts(
      local(STSClient),
      {
        memberRoleArn: 'arn:aws:iam::{account}:role/LaunchLoopGuardMember',
        homeAccount: '111122223333',
      },
      () => T0,
    ),
    memberDrivers,
  );
  await runAll(new WebhookUrlSource(local(SecretsManagerClient), 'slack-webhook', () => T0), webhookDrivers);
  const mocked = MOCKS.flatMap(([service, calls]) =>
    calls().map((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      return { service, command: command.constructor.name, input: command.input };
    }),
  );
  return [...mocked, ...dynamoSent];
}
