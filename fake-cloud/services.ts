/**
 * The services the fake cloud answers, each a table of operations by name. To answer a new
 * operation, add it to its service's table; to answer a new service, write its table (awsQuery,
 * EC2 query or JSON, see `wire.ts`) and add it here.
 */
import { AUTO_SCALING } from './auto-scaling';
import { EC2 } from './ec2';
import { ECS } from './ecs';
import { PRICING } from './pricing';
import { SNS } from './sns';
import type { CloudState } from './state';
import type { CloudService } from './wire';

/** Every service of the fake cloud. EC2 comes last: it answers the query versions no other claims. */
export const SERVICES: readonly CloudService<CloudState>[] = [AUTO_SCALING, SNS, ECS, PRICING, EC2];
