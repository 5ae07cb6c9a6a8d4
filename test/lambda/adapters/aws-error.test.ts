import {
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  ResourceContentionFault,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  ResourceNotFoundException as DynamoResourceNotFound,
  InternalServerError,
  ProvisionedThroughputExceededException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import {
  CreateScheduleCommand,
  SchedulerClient,
  InternalServerException as SchedulerInternal,
  ResourceNotFoundException as SchedulerNotFound,
  ThrottlingException as SchedulerThrottling,
  ValidationException as SchedulerValidation,
} from '@aws-sdk/client-scheduler';
import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  KMSDisabledException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AutoScalingSuspender } from '../../../lambda/adapters/asg-suspender';
import {
  type AwsErrorClass,
  awsCause,
  awsErrorName,
  classifyAwsError,
  describeAwsFailure,
} from '../../../lambda/adapters/aws-error';
import { Ec2ImageInfo } from '../../../lambda/adapters/ec2-diagnosis';
import { SnsNotifier } from '../../../lambda/adapters/notifier';
import { EventBridgeResumeScheduler } from '../../../lambda/adapters/scheduler';
import { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import { CounterStoreError, GuardError, NotifyError, SuspendError } from '../../../lambda/core/errors';
import { suspendedReport } from '../core/example-reports';

const CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'y' };
/** A mocked client's settings. */
const CLIENT = { region: 'us-west-2', credentials: CREDENTIALS };

// Real SDK exceptions, shaped as the SDK's deserializers build them: the modelled classes where
// the service models the error, else the service's base exception with the error code as name
// (Auto Scaling's ValidationError, Throttling and AccessDenied, and all of EC2's errors).
const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'r-1', attempts: 1 });

function asgError(name: string, status: number): AutoScalingServiceException {
  return new AutoScalingServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: meta(status),
    message: `${name} from Auto Scaling`,
  });
}

function ec2Error(name: string, status: number): EC2ServiceException {
  return new EC2ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: meta(status),
    message: `${name} from EC2`,
  });
}

/** A modelled exception of HTTP status `status`, as the SDK's deserializer builds it. */
function modelled<E>(
  Exception: new (options: { message: string; $metadata: ReturnType<typeof meta> }) => E,
  status: number,
  message = 'x',
): E {
  return new Exception({ message, $metadata: meta(status) });
}

/** A Scheduler exception: its model carries `Message` beside `message`. */
function schedulerError<E>(
  Exception: new (options: { message: string; Message: string; $metadata: ReturnType<typeof meta> }) => E,
  status: number,
): E {
  return new Exception({ message: 'x', Message: 'x', $metadata: meta(status) });
}

const socketReset = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('classifyAwsError', () => {
  it.each<[string, unknown, AwsErrorClass]>([
    ['Auto Scaling Throttling (400)', asgError('Throttling', 400), 'transient'],
    [
      'Auto Scaling ResourceContentionFault (500)',
      modelled(ResourceContentionFault, 500, 'busy'),
      'transient',
    ],
    ['Auto Scaling ValidationError (400)', asgError('ValidationError', 400), 'permanent'],
    ['Auto Scaling AccessDenied (403)', asgError('AccessDenied', 403), 'blind'],
    [
      'DynamoDB ProvisionedThroughputExceededException',
      modelled(ProvisionedThroughputExceededException, 400, 'slow down'),
      'transient',
    ],
    ['DynamoDB InternalServerError', modelled(InternalServerError, 500, 'oops'), 'transient'],
    [
      'DynamoDB ValidationException (key too large)',
      new DynamoDBServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: meta(400),
        message: 'One or more parameter values were invalid',
      }),
      'permanent',
    ],
    [
      'DynamoDB ConditionalCheckFailedException',
      modelled(ConditionalCheckFailedException, 400, 'no'),
      'permanent',
    ],
    [
      'DynamoDB ResourceNotFoundException (the table)',
      modelled(DynamoResourceNotFound, 400, 'Requested resource not found'),
      'blind',
    ],
    ['EC2 RequestLimitExceeded', ec2Error('RequestLimitExceeded', 503), 'transient'],
    ['EC2 Unavailable (503)', ec2Error('Unavailable', 503), 'transient'],
    ['EC2 InvalidAMIID.NotFound', ec2Error('InvalidAMIID.NotFound', 400), 'permanent'],
    ['EC2 UnauthorizedOperation (403)', ec2Error('UnauthorizedOperation', 403), 'blind'],
    ['SNS ThrottledException', modelled(ThrottledException, 400), 'transient'],
    ['SNS InternalErrorException', modelled(InternalErrorException, 500), 'transient'],
    ['SNS InvalidParameterException', modelled(InvalidParameterException, 400), 'permanent'],
    ['SNS AuthorizationErrorException', modelled(AuthorizationErrorException, 403), 'blind'],
    ['SNS KMSDisabledException', modelled(KMSDisabledException, 400), 'blind'],
    ['SNS NotFoundException (the topic)', modelled(NotFoundException, 404), 'blind'],
    ['Scheduler ThrottlingException', schedulerError(SchedulerThrottling, 429), 'transient'],
    ['Scheduler InternalServerException', schedulerError(SchedulerInternal, 500), 'transient'],
    ['Scheduler ValidationException', schedulerError(SchedulerValidation, 400), 'permanent'],
    ['Scheduler ResourceNotFoundException', schedulerError(SchedulerNotFound, 404), 'blind'],
    ['a socket reset (ECONNRESET)', socketReset(), 'transient'],
    ['an SDK timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'transient'],
    ['an unknown 4xx without a name we know', asgError('SomethingNew', 400), 'permanent'],
    ['an unknown 5xx', asgError('SomethingBroke', 502), 'transient'],
    ['an unknown 401', asgError('SomethingDenied', 401), 'blind'],
    ['a plain Error (a bug): kept, as before', new TypeError('x is undefined'), 'transient'],
    ['a non-error value', 'boom', 'transient'],
  ])('classes %s', (_label, error, expected) => {
    expect(classifyAwsError(error)).toBe(expected);
  });

  it('never reads the message: the same name and status give the same class whatever it says', () => {
    // Prepare
    const a = asgError('ValidationError', 400);
    const b = Object.assign(asgError('ValidationError', 400), { message: 'Rate exceeded, throttling' });
    // Act, Assess
    expect(classifyAwsError(a)).toBe(classifyAwsError(b));
  });

  it('classes a wrapper by its innermost cause, or keeps the class the wrapper carries', () => {
    // Prepare
    const sdk = asgError('AccessDenied', 403);
    const unclassified = new GuardError('outer', { cause: new GuardError('middle', { cause: sdk }) });
    const classified = new SuspendError('said transient', { cause: sdk, failure: 'transient' });
    // Act, Assess
    expect(classifyAwsError(unclassified)).toBe('blind');
    expect(awsErrorName(unclassified)).toBe('AccessDenied');
    expect(classifyAwsError(classified)).toBe('transient');
    expect(describeAwsFailure(unclassified)).toEqual({ failure: 'blind', name: 'AccessDenied', status: 403 });
  });

  it('lets an adapter override a name whose meaning differs in its service', () => {
    const notFound = schedulerError(SchedulerNotFound, 404);
    expect(classifyAwsError(notFound, { ResourceNotFoundException: 'permanent' })).toBe('permanent');
    expect(awsCause(notFound)).toEqual({ cause: notFound, failure: 'blind' });
  });
});

// ---------------------------------------------------------------------------------------------
// Each adapter, each class: the error it throws carries the class, and its cause is the SDK's.

const asg = mockClient(AutoScalingClient);
const dynamo = mockClient(DynamoDBClient);
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);

beforeEach(() => {
  asg.reset();
  dynamo.reset();
  ec2.reset();
  sns.reset();
  scheduler.reset();
});

const KEY = { scope: 'asg', account: '111122223333', region: 'us-west-2', key: 'ecs-asg' } as const;

async function failureOf(action: () => Promise<unknown>): Promise<unknown> {
  return action().then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

/** `error` is an `Expected` error carrying the class `failure` and the SDK's error `sdk` as its cause. */
function expectCarries(
  error: unknown,
  Expected: abstract new (...args: never[]) => GuardError,
  failure: AwsErrorClass,
  sdk: Error,
): void {
  expect(error).toBeInstanceOf(Expected);
  expect((error as GuardError).failure).toBe(failure);
  expect((error as GuardError).cause).toBe(sdk);
}

describe.each<[AwsErrorClass, () => Error]>([
  ['transient', () => asgError('Throttling', 400)],
  ['permanent', () => asgError('ValidationError', 400)],
  ['blind', () => asgError('AccessDenied', 403)],
])('AutoScalingSuspender with a %s failure', (failure, make) => {
  const suspender = () =>
    new AutoScalingSuspender((region) => new AutoScalingClient({ region, credentials: CREDENTIALS }));

  it('throws a SuspendError that carries the class from describeGroup', async () => {
    const sdk = make();
    asg.on(DescribeAutoScalingGroupsCommand).rejects(sdk);
    const error = await failureOf(() => suspender().describeGroup('us-west-2', 'ecs-asg'));
    expectCarries(error, SuspendError, failure, sdk);
  });

  it('throws a SuspendError that carries the class from suspend', async () => {
    asg.on(SuspendProcessesCommand).rejects(make());
    const error = await failureOf(() => suspender().suspend('us-west-2', 'ecs-asg', ['Launch']));
    expect(error).toBeInstanceOf(SuspendError);
    expect(classifyAwsError(error)).toBe(failure);
  });
});

describe.each<[AwsErrorClass, () => Error]>([
  ['transient', () => modelled(ProvisionedThroughputExceededException, 400)],
  [
    'permanent',
    () =>
      new DynamoDBServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: meta(400),
        message: 'Key too large',
      }),
  ],
  ['blind', () => modelled(DynamoResourceNotFound, 400)],
])('DynamoDbScopeStore with a %s failure', (failure, make) => {
  const store = () => new DynamoDbScopeStore(new DynamoDBClient(CLIENT), 't');

  it('throws a CounterStoreError that carries the class from record', async () => {
    const sdk = make();
    dynamo.on(UpdateItemCommand).rejects(sdk);
    const error = await failureOf(() =>
      store().record(
        {
          key: KEY,
          mentions: [{ instanceId: 'i-0123456789abcdef0', time: 1_700_000_000_000 }],
          callers: [],
          imageIds: [],
          groupNames: [],
          now: 1_700_000_000_000,
        },
        { threshold: 10, windowMs: 3_600_000 },
      ),
    );
    expectCarries(error, CounterStoreError, failure, sdk);
  });
});

describe.each<[AwsErrorClass, () => Error]>([
  ['transient', () => modelled(ThrottledException, 400)],
  ['permanent', () => modelled(InvalidParameterException, 400)],
  ['blind', () => modelled(KMSDisabledException, 400)],
])('SnsNotifier with a %s failure', (failure, make) => {
  it('throws a NotifyError that carries the class', async () => {
    const sdk = make();
    sns.on(PublishCommand).rejects(sdk);
    const notifier = new SnsNotifier(new SNSClient(CLIENT), 'arn:aws:sns:us-west-2:111122223333:t');
    const error = await failureOf(() => notifier.publishTrip(suspendedReport()));
    expectCarries(error, NotifyError, failure, sdk);
  });
});

describe.each<[AwsErrorClass, () => Error]>([
  ['transient', () => schedulerError(SchedulerThrottling, 429)],
  ['permanent', () => schedulerError(SchedulerValidation, 400)],
  [
    'blind',
    () =>
      new SchedulerNotFound({ message: 'schedule group', Message: 'schedule group', $metadata: meta(404) }),
  ],
])('EventBridgeResumeScheduler with a %s failure', (failure, make) => {
  it('throws a GuardError that carries the class', async () => {
    scheduler.on(CreateScheduleCommand).rejects(make());
    const target = {
      scheduleGroup: 'g',
      schedulerRoleArn: 'arn:aws:iam::111122223333:role/r',
      targetArn: 'arn:aws:lambda:us-west-2:111122223333:function:f',
    };
    const s = new EventBridgeResumeScheduler(
      new SchedulerClient({ region: 'us-west-2', credentials: CREDENTIALS }),
      target,
    );
    const error = await failureOf(() =>
      s.schedule('n', Date.UTC(2030, 0, 1), {
        account: '111122223333',
        region: 'us-west-2',
        groupName: 'ecs-asg',
        processes: ['Launch'],
        trip: 1,
      }),
    );
    expect(error).toBeInstanceOf(GuardError);
    expect((error as GuardError).failure).toBe(failure);
  });
});

describe.each<[AwsErrorClass, () => Error, string]>([
  ['transient', () => ec2Error('RequestLimitExceeded', 503), 'failed'],
  ['permanent', () => ec2Error('InvalidParameterValue', 400), 'failed'],
  ['blind', () => ec2Error('UnauthorizedOperation', 403), 'access-denied'],
])('Ec2ImageInfo with a %s failure', (failure, make, kind) => {
  it('returns a typed problem (diagnosis is best effort and never throws)', async () => {
    ec2.on(DescribeImagesCommand).rejects(make());
    const images = new Ec2ImageInfo((region) => new EC2Client({ region, credentials: CREDENTIALS }));
    const out = await images.describe('us-west-2', ['ami-0abc1234def567890']);
    expect(out.problem?.kind).toBe(kind);
    if (out.problem?.kind === 'failed') expect(out.problem.failure).toBe(failure);
  });
});
