/**
 * The services the fake cloud answers, each a table of operations by name. To answer a new
 * operation, add it to its service's table; to answer a new service, write its table (awsQuery,
 * EC2 query or JSON, see `wire.ts`) and add it here.
 */
import { AUTO_SCALING } from './auto-scaling';
import { EC2 } from './ec2';
import { ECS } from './ecs';
import { IAM, type IamState } from './iam';
import { PRICING } from './pricing';
import { SNS } from './sns';
import { SQS, type SqsState } from './sqs';
import type { CloudState } from './state';
import type { CloudService } from './wire';

/** Every service of the fake cloud. EC2 comes last: it answers the query versions no other claims. */
export const SERVICES: readonly CloudService<CloudState>[] = [AUTO_SCALING, SNS, ECS, PRICING, EC2];

/**
 * The demo's services: every service, and the deadline queue (SQS) and IAM, which only the demo's
 * state answers. The simulator delivers its deadline checks itself and answers no IAM call (the
 * role check's reads there are unknown actions, as before the demo played them).
 */
export const DEMO_SERVICES: readonly CloudService<CloudState & SqsState & IamState>[] = [
  ...SERVICES,
  SQS,
  IAM,
];
