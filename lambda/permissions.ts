/**
 * The IAM actions of the guard function, gathered from the lists that sit beside each adapter.
 *
 * Plain data: the construct builds the function's policy from it, and a test compares the
 * synthesized policy with it, so a new adapter call cannot ship without its permission, and no
 * permission ships without an adapter that calls it.
 */
import { PERMISSIONS_FOR as SUSPENDER } from './adapters/asg-suspender';
import { PERMISSIONS as DEADLINES } from './adapters/deadline-queue';
import { PERMISSIONS as BILLING } from './adapters/ec2-billing';
import { PERMISSIONS as DIAGNOSIS } from './adapters/ec2-diagnosis';
import { PERMISSIONS as INSTANCES } from './adapters/ec2-instances';
import { PERMISSIONS as ECS } from './adapters/ecs-registry';
import { PERMISSIONS as IAM_ROLE } from './adapters/iam-role';
import { PERMISSIONS as LAUNCH_TEMPLATE } from './adapters/launch-template';
import { PERMISSIONS as NOTIFIER } from './adapters/notifier';
import { PERMISSIONS as PRICE_LIST } from './adapters/price-list';
import { PERMISSIONS as COUNTER } from './adapters/scope-store';

/** What each adapter of the guard function calls. */
export const ADAPTER_PERMISSIONS = {
  launchCounter: COUNTER,
  // The guard only describes, suspends and tags; resuming is the operators' and auto-resume's.
  asgSuspender: SUSPENDER.guard,
  notifier: NOTIFIER,
  ec2Diagnosis: DIAGNOSIS,
  // Judging launches: ECS registration and EC2 state reasons, read-only.
  ecsRegistry: ECS,
  ec2Instances: INSTANCES,
  // The delayed checks at each launch's deadline.
  deadlineQueue: DEADLINES,
  // The instance-role check of the AMI-change alert: read-only.
  launchTemplate: LAUNCH_TEMPLATE,
  iamRole: IAM_ROLE,
  // The alert's cost line: what the launches are billed as, Spot and On-Demand prices; read-only.
  ec2Billing: BILLING,
  priceList: PRICE_LIST,
} as const satisfies Record<string, readonly string[]>;

/**
 * The adapters that read or act in the account of the group they judge. In central organization
 * mode they reach a member account through its member role, which holds exactly their actions.
 */
export const ACCOUNT_ADAPTERS = [
  'asgSuspender',
  'ec2Diagnosis',
  'ecsRegistry',
  'ec2Instances',
  'launchTemplate',
  'iamRole',
  'ec2Billing',
] as const satisfies readonly (keyof typeof ADAPTER_PERMISSIONS)[];

/** What the central guard calls in a member account (the member role's actions), once each, sorted. */
export const MEMBER_ACCOUNT_PERMISSIONS: readonly string[] = [
  ...new Set(ACCOUNT_ADAPTERS.flatMap((adapter) => ADAPTER_PERMISSIONS[adapter])),
].sort();

/** Every action the guard function's adapters call, once each, sorted. */
export const GUARD_PERMISSIONS: readonly string[] = [
  ...new Set(Object.values(ADAPTER_PERMISSIONS).flat()),
].sort();

/**
 * What the function needs beside its adapters: writing its own log group, using the key of the
 * encrypted topics it publishes to, and sending to its on-failure queue.
 */
export const RUNTIME_PERMISSIONS = {
  logs: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  topicKey: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  /** The on-failure destination (what Lambda's `SqsDestination` grants). */
  failureQueue: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
  /** Receiving the delayed deadline checks (what Lambda's `SqsEventSource` grants). */
  deadlineQueue: [
    'sqs:ReceiveMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:GetQueueUrl',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
  ],
} as const satisfies Record<string, readonly string[]>;

/** Actions the guard must never hold, whatever an adapter lists. */
export const FORBIDDEN_ACTIONS: readonly RegExp[] = [
  /^ec2:TerminateInstances$/i,
  /^ec2:StopInstances$/i,
  // Reading and simulating are allowed (the role check); anything that changes IAM is not.
  /^iam:(?!PassRole$|Get|List|SimulatePrincipalPolicy$)/i,
  // A whole service or everything (`*`, `ec2:*`); suffix wildcards such as `kms:GenerateDataKey*` name a known family.
  /^\*$|:\*$/,
];
