import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  EC2ServiceException,
  type Image,
} from '@aws-sdk/client-ec2';
import {
  GetInstanceProfileCommand,
  IAMClient,
  IAMServiceException,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { MIN, T0 } from '../../../fake-cloud/support/clock';
import { useDynamo } from '../../../fake-cloud/support/dynamo-suite';
import { guardDeps } from '../../../fake-cloud/support/guard-deps';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { mockClients } from '../../../fake-cloud/support/sdk-mocks';
import { AutoScalingSuspender } from '../../../lambda/adapters/asg-suspender';
import { Ec2ImageInfo } from '../../../lambda/adapters/ec2-diagnosis';
import { IamRoleReader } from '../../../lambda/adapters/iam-role';
import { Ec2LaunchTemplateReader } from '../../../lambda/adapters/launch-template';
import { AMI_CHANGE_ATTRIBUTE, SnsNotifier } from '../../../lambda/adapters/notifier';
import { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import { loadConfig } from '../../../lambda/config';
import type { AmiChangeReport } from '../../../lambda/core/ami-change-alert';
import { METRIC } from '../../../lambda/core/metric-names';
import type { GuardDeps } from '../../../lambda/ports';
import { AMI_CHANGE_METRIC, CachedImageInfo } from '../../../lambda/steps/ami-change';
import { run } from '../../../lambda/steps/count';
import { InstanceRoleChecker } from '../../../lambda/steps/role-check';

const [asg, ec2, iam, sns] = mockClients(AutoScalingClient, EC2Client, IAMClient, SNSClient);

const GROUP = 'ecs-capacity-provider-asg';
const REGION = 'us-west-2';
const ACCOUNT = '111122223333';
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:launch-loop-guard`;
const TEMPLATE = 'lt-0123456789abcdef0';
/** The profile the launch fixture's instances carry (`iamInstanceProfile.arn`). */
const PROFILE = 'profile-id';
const ROLE = '2sec-dev-ec2-role';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;

const STANDARD = image(
  'ami-0a1b2c3d4e5f60718',
  'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
  '2025-12-08',
);
const STANDARD_NEXT = image(
  'ami-0b1b2c3d4e5f60719',
  'al2023-ami-2023.9.20251215.0-kernel-6.1-x86_64',
  '2025-12-15',
);
const STANDARD_ARM = image(
  'ami-0c1b2c3d4e5f60710',
  'al2023-ami-2023.9.20251208.0-kernel-6.1-arm64',
  '2025-12-08',
  'arm64',
);
const NEURON = image(
  'ami-0d136904eaba14b45',
  'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
  '2025-12-09',
);
const IMAGES = [STANDARD, STANDARD_NEXT, STANDARD_ARM, NEURON];

function image(id: string, name: string, day: string, arch: 'x86_64' | 'arm64' = 'x86_64'): Image {
  return {
    ImageId: id,
    Name: name,
    ImageOwnerAlias: 'amazon',
    OwnerId: '137112412989',
    CreationDate: `${day}T10:00:00.000Z`,
    Architecture: arch,
  };
}

/** A refusal (HTTP 403) as the SDK throws it, named `name`. */
function refusal<E>(
  Exception: new (options: ConstructorParameters<typeof EC2ServiceException>[0]) => E,
  name: string,
): E {
  return new Exception({ name, $fault: 'client', $metadata: { httpStatusCode: 403 }, message: name });
}
const ec2Error = (name: string) => refusal(EC2ServiceException, name);
const iamError = (name: string) => refusal(IAMServiceException, name);

const dynamo = useDynamo();

interface Harness {
  deps: GuardDeps;
  config: ReturnType<typeof loadConfig>;
  metrics: Map<string, number>;
  /** DynamoDB requests sent so far. */
  dynamoRequests: () => number;
}

async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const table = await dynamo().createTable();
  const config = loadConfig({ LLG_TABLE_NAME: table, LLG_TOPIC_ARN: TOPIC, ...env });
  const metrics = new Map<string, number>();
  const client = new DynamoDBClient({
    endpoint: dynamo().endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  let requests = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      requests += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const ec2For = (region: string) => new EC2Client({ region, maxAttempts: 1 });
  const nothing = () => undefined;
  const deps = guardDeps({
    counter: new DynamoDbScopeStore(client, table, config.maxWindowMs),
    suspender: new AutoScalingSuspender((region) => new AutoScalingClient({ region, maxAttempts: 1 })),
    notifier: new SnsNotifier(new SNSClient({ region: REGION }), TOPIC),
    images: new CachedImageInfo(new Ec2ImageInfo(ec2For)),
    roles: new InstanceRoleChecker(
      new Ec2LaunchTemplateReader(ec2For),
      new IamRoleReader(new IAMClient({ region: REGION, maxAttempts: 1 })),
    ),
    log: { info: nothing, warn: nothing, error: nothing },
    metrics: { count: (name, value = 1) => metrics.set(name, (metrics.get(name) ?? 0) + value) },
  });
  return { deps, config, metrics, dynamoRequests: () => requests };
}

/** One launch of the group with one instance; `n` numbers the instance and sets the time. */
function launch(n: number, ami: Image, extra: { eventId?: string; instances?: number } = {}) {
  const count = extra.instances ?? 1;
  return launchEvent({
    group: GROUP,
    imageId: ami.ImageId!,
    instanceIds: Array.from({ length: count }, (_, i) => instanceId(n * 1000 + i)),
    time: T0 + n * 3 * MIN,
    ...(extra.eventId ? { eventId: extra.eventId } : {}),
  });
}

async function handle(h: Harness, event: Record<string, unknown>) {
  return run(event, h.deps, h.config, Date.parse(String(event.time)) + MIN);
}

function amiChangeMessages() {
  return sns
    .commandCalls(PublishCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.MessageAttributes?.action?.StringValue === 'ami-changed');
}

function reportOf(input: { MessageAttributes?: Record<string, { StringValue?: string }> }): AmiChangeReport {
  return JSON.parse(input.MessageAttributes?.[AMI_CHANGE_ATTRIBUTE]?.StringValue ?? '{}') as AmiChangeReport;
}

/** EC2 describes the images asked for; unknown ids are left out, as EC2 does with filters. */
function describeImages(): void {
  ec2.on(DescribeImagesCommand).callsFake((input: { ImageIds?: string[] }) => ({
    Images: IMAGES.filter((i) => input.ImageIds?.includes(i.ImageId!)),
  }));
}

/** The group runs a launch template whose user data joins cluster `prod`. */
function ecsGroup(): void {
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        ...autoScalingGroup(GROUP, { region: REGION }),
        LaunchTemplate: { LaunchTemplateId: TEMPLATE, Version: '$Latest' },
      },
    ],
  });
  ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
    LaunchTemplateVersions: [
      {
        LaunchTemplateId: TEMPLATE,
        VersionNumber: 7,
        LaunchTemplateData: {
          IamInstanceProfile: { Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${PROFILE}` },
          UserData: Buffer.from('#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n').toString(
            'base64',
          ),
        },
      },
    ],
  });
}

/** The role exists; the simulator allows only what `allowed` lists. */
function roleAllows(allowed: readonly string[]): void {
  iam.on(GetInstanceProfileCommand).resolves({
    InstanceProfile: {
      InstanceProfileName: PROFILE,
      InstanceProfileId: 'AIPAEXAMPLE',
      Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${PROFILE}`,
      Path: '/',
      CreateDate: new Date(0),
      Roles: [{ RoleName: ROLE, Arn: ROLE_ARN, RoleId: 'AROAEXAMPLE', Path: '/', CreateDate: new Date(0) }],
    },
  });
  iam
    .on(SimulatePrincipalPolicyCommand)
    .callsFake((input: { ActionNames: string[]; ResourceArns?: string[] }) => ({
      EvaluationResults: input.ActionNames.map((action) => ({
        EvalActionName: action,
        EvalResourceName: input.ResourceArns?.[0] ?? '*',
        EvalDecision: allowed.includes(action) ? 'allowed' : 'implicitDeny',
      })),
    }));
}

beforeEach(() => {
  asg.reset();
  ec2.reset();
  iam.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  describeImages();
  ecsGroup();
  roleAllows([]);
});

describe('the AMI-change alert on the launch path', () => {
  it('alerts once at the first ECS Neuron launch of a group that launched the standard AMI, naming both and the role', async () => {
    // Prepare: three launches of the standard AMI, then the incident's Neuron AMI
    const h = await harness();
    for (let n = 0; n < 3; n++) await handle(h, launch(n, STANDARD));
    // Act
    await handle(h, launch(3, NEURON));
    await handle(h, launch(4, NEURON));
    // Assess
    const messages = amiChangeMessages();
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message!.Subject).toBe(
      `Likely unintended AMI change on ${GROUP}: al2023-standard -> al2023-ecs-neuron`,
    );
    expect(message!.MessageAttributes?.severity?.StringValue).toBe('high');
    const body = message!.Message ?? '';
    expect(body).toContain(STANDARD.Name);
    expect(body).toContain(NEURON.Name);
    expect(body).toContain('Words the new name adds: ecs, neuron, hvm');
    expect(body).toContain(
      `Likely cause: instances use the ECS-optimized Neuron AMI and role \`${ROLE}\` may not call ` +
        'ecs:RegisterContainerInstance (nor 6 other ECS agent actions): they cannot join cluster `prod`.',
    );
    expect(body).toContain('Nothing was changed: this alert only informs.');
    const report = reportOf(message!);
    expect(report.assessment).toMatchObject({
      change: 'family-change',
      before: { imageId: STANDARD.ImageId, family: 'al2023-standard', ownerId: '137112412989' },
      after: { imageId: NEURON.ImageId, family: 'al2023-ecs-neuron', architecture: 'x86_64' },
    });
    expect(report.role?.permissions?.resourceArn).toBe(`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`);
    // The cluster actions were simulated against the cluster, the agent's others against `*`.
    expect(iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: ROLE_ARN,
      ResourceArns: [`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`],
    });
    expect(iam).toHaveReceivedCommandWith(GetInstanceProfileCommand, { InstanceProfileName: PROFILE });
    // Notify only: nothing was suspended.
    expect(h.metrics.get(METRIC.suspensions)).toBeUndefined();
    expect(h.metrics.get(AMI_CHANGE_METRIC.alerts)).toBe(1);
  });

  it('costs no DynamoDB request beyond the record writes, new AMI or not', async () => {
    // Prepare
    const requestsOf = async (amis: readonly Image[]) => {
      const h = await harness();
      const perEvent: number[] = [];
      for (const [n, ami] of amis.entries()) {
        const before = h.dynamoRequests();
        await handle(h, launch(n, ami));
        perEvent.push(h.dynamoRequests() - before);
      }
      return perEvent;
    };
    // Act: two scopes (group and AMI) per event, with an AMI change at the third launch and without
    const changed = await requestsOf([STANDARD, STANDARD, NEURON, NEURON]);
    const unchanged = await requestsOf([STANDARD, STANDARD, STANDARD, STANDARD]);
    // Assess: the AMI change costs nothing; each event writes its two scopes, and from the third
    // launch on the group's judgement (once per minute, the judge lease) reads its kept fates
    // (issue 18: fates kept apart from the count's cap), one GetItem.
    expect(changed).toEqual(unchanged);
    expect(changed).toEqual([2, 2, 3, 3]);
    expect(amiChangeMessages()).toHaveLength(1);
  });

  it('describes each AMI once per container', async () => {
    // Prepare
    const h = await harness({ LLG_AMI_CHANGE_ALERTS: 'all' });
    // Act: two changes that both need the standard AMI's description
    await handle(h, launch(0, STANDARD));
    await handle(h, launch(1, STANDARD_NEXT));
    await handle(h, launch(2, NEURON));
    // Assess
    const asked = ec2
      .commandCalls(DescribeImagesCommand)
      .map((c) => [...(c.args[0].input.ImageIds ?? [])].sort());
    expect(asked).toEqual([[STANDARD.ImageId, STANDARD_NEXT.ImageId].sort(), [NEURON.ImageId]]);
    expect(ec2).toHaveReceivedCommandWith(DescribeImagesCommand, { IncludeDeprecated: true });
  });

  it('says nothing about a routine upgrade by default, and makes no role lookup', async () => {
    // Prepare
    const h = await harness();
    await handle(h, launch(0, STANDARD));
    // Act
    await handle(h, launch(1, STANDARD_NEXT));
    // Assess
    expect(amiChangeMessages()).toHaveLength(0);
    expect(h.metrics.get(AMI_CHANGE_METRIC.quiet)).toBe(1);
    expect(iam).toHaveReceivedCommandTimes(GetInstanceProfileCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(DescribeLaunchTemplateVersionsCommand, 0);
  });

  it("announces a routine upgrade at low severity with amiChangeAlerts 'all'", async () => {
    // Prepare
    const h = await harness({ LLG_AMI_CHANGE_ALERTS: 'all' });
    await handle(h, launch(0, STANDARD));
    // Act
    await handle(h, launch(1, STANDARD_NEXT));
    // Assess
    const [message, ...more] = amiChangeMessages();
    expect(more).toHaveLength(0);
    expect(message!.Subject).toBe(`Routine AMI upgrade on ${GROUP}: newer al2023-standard`);
    expect(message!.MessageAttributes?.severity?.StringValue).toBe('low');
  });

  it("sends nothing and looks nothing up with amiChangeAlerts 'off'", async () => {
    // Prepare
    const h = await harness({ LLG_AMI_CHANGE_ALERTS: 'off' });
    await handle(h, launch(0, STANDARD));
    // Act
    await handle(h, launch(1, NEURON));
    // Assess
    expect(amiChangeMessages()).toHaveLength(0);
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 0);
  });

  it('still alerts, saying "unknown", when every lookup fails', async () => {
    // Prepare
    ec2.on(DescribeImagesCommand).rejects(ec2Error('UnauthorizedOperation'));
    ec2.on(DescribeLaunchTemplateVersionsCommand).rejects(ec2Error('UnauthorizedOperation'));
    iam.on(GetInstanceProfileCommand).rejects(iamError('AccessDenied'));
    const h = await harness();
    await handle(h, launch(0, STANDARD));
    // Act
    const result = await handle(h, launch(1, NEURON));
    // Assess
    expect(result.kind).toBe('counted');
    const [message, ...more] = amiChangeMessages();
    expect(more).toHaveLength(0);
    expect(message!.Subject).toBe(`AMI changed on ${GROUP}: ${NEURON.ImageId}, family unknown`);
    expect(message!.MessageAttributes?.severity?.StringValue).toBe('medium');
    const body = message!.Message ?? '';
    expect(body).toContain('The images could not be described: access denied');
    expect(body).toContain(
      'Instance role: unknown (could not read the launch template (UnauthorizedOperation); ' +
        `the role of instance profile \`${PROFILE}\` (AccessDenied)).`,
    );
    expect(body).toMatch(/Name +unknown +unknown/);
  });

  it('alerts with the family change when only the role lookups fail', async () => {
    // Prepare
    iam.on(SimulatePrincipalPolicyCommand).rejects(iamError('AccessDenied'));
    const h = await harness();
    await handle(h, launch(0, STANDARD));
    // Act
    await handle(h, launch(1, NEURON));
    // Assess
    const [message] = amiChangeMessages();
    expect(message!.MessageAttributes?.severity?.StringValue).toBe('high');
    expect(message!.Message).toContain(
      `Instance role: \`${ROLE}\` (instance profile \`${PROFILE}\`); its ECS agent permissions are unknown ` +
        `(could not read what role \`${ROLE}\` may do (AccessDenied)).`,
    );
    expect(message!.Message).not.toContain('Likely cause');
  });

  it('never fails the event when the alert cannot be published', async () => {
    // Prepare
    sns
      .on(PublishCommand)
      .callsFake((input: { MessageAttributes?: Record<string, { StringValue?: string }> }) => {
        if (input.MessageAttributes?.action?.StringValue === 'ami-changed') throw new Error('SNS is down');
        return { MessageId: 'm-1' };
      });
    const h = await harness();
    await handle(h, launch(0, STANDARD));
    // Act
    const result = await handle(h, launch(1, NEURON));
    // Assess
    expect(result.kind).toBe('counted');
    expect(h.metrics.get(METRIC.alertsFailed)).toBe(1);
  });

  it('sends no alert for a mixed-instances group alternating two AMIs of one family', async () => {
    // Prepare
    const h = await harness();
    // Act
    for (let n = 0; n < 8; n++) await handle(h, launch(n, n % 2 === 0 ? STANDARD : STANDARD_ARM));
    // Assess
    expect(amiChangeMessages()).toHaveLength(0);
  });

  it('tells about the second AMI of an alternating group once, then never again', async () => {
    // Prepare: every change announced
    const h = await harness({ LLG_AMI_CHANGE_ALERTS: 'all' });
    // Act
    for (let n = 0; n < 8; n++) await handle(h, launch(n, n % 2 === 0 ? STANDARD : STANDARD_ARM));
    // Assess: the arm64 AMI was new once; after that both are in the group's history
    const messages = amiChangeMessages();
    expect(messages).toHaveLength(1);
    expect(reportOf(messages[0]!).assessment.after.imageId).toBe(STANDARD_ARM.ImageId);
  });

  it('gives no alert to a group with no history', async () => {
    // Prepare
    const h = await harness();
    // Act
    await handle(h, launch(0, NEURON));
    // Assess
    expect(amiChangeMessages()).toHaveLength(0);
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 0);
  });

  it('alerts once when the first Neuron launch is delivered several times at once', async () => {
    // Prepare
    const h = await harness();
    await handle(h, launch(0, STANDARD));
    const first = launch(1, NEURON, { eventId: '00000000-0000-4000-8000-00000000beef' });
    // Act: five concurrent deliveries, then a late sixth
    await Promise.all(Array.from({ length: 5 }, () => handle(h, structuredClone(first))));
    await handle(h, structuredClone(first));
    // Assess
    expect(amiChangeMessages()).toHaveLength(1);
  });

  it('alerts once when two containers record different first launches of the new AMI at once', async () => {
    // Prepare
    const h = await harness();
    await handle(h, launch(0, STANDARD));
    // Act
    await Promise.all([handle(h, launch(1, NEURON)), handle(h, launch(2, NEURON))]);
    // Assess
    expect(amiChangeMessages()).toHaveLength(1);
  });

  it('alerts for a record larger than one store write (45 instances)', async () => {
    // Prepare
    const h = await harness();
    await handle(h, launch(0, STANDARD));
    // Act
    await handle(h, launch(1, NEURON, { instances: 45 }));
    // Assess
    const [message, ...more] = amiChangeMessages();
    expect(more).toHaveLength(0);
    expect(reportOf(message!).instanceIds).toHaveLength(45);
  });
});
