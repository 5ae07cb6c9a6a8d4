/** Records for the parseEvent tests: fixture copies to edit, and a CreateFleet made from a fixture. */
import { expect } from 'vitest';
import { loadFixture } from '../../../fake-cloud/support/fixtures';
import { createFleetRequest } from '../../../fake-cloud/support/launch-events';
import { parseEvent } from '../../../lambda/core/parse-event';
import type { LaunchRecord, NotLaunch, ParsedEvent } from '../../../lambda/core/types';

// biome-ignore lint/suspicious/noExplicitAny: tests edit fixture copies by path; the parser under test takes unknown.
export type Json = Record<string, any>;

/** A deep, mutable copy of a fixture. */
export function copy(name: string): Json {
  return structuredClone(loadFixture(name)) as Json;
}

/** Parse a copy of a fixture after `edit` changed it. */
export function parseEdited(name: string, edit: (record: Json) => unknown): ParsedEvent {
  const record = copy(name);
  edit(record);
  return parseEvent(record);
}

/** What parseEvent gives for input it does not count. */
export function notLaunch(reason: string, malformed: boolean): NotLaunch {
  return { kind: 'not-launch', reason, malformed };
}

/** The parsed event, asserted to be a launch. */
export function asLaunch(parsed: ParsedEvent): LaunchRecord {
  expect(parsed.kind).toBe('launch');
  return parsed as LaunchRecord;
}

/** Auto Scaling's RunInstances record (an EKS node group's fleet). */
export const ASG_SLR = 'runinstances-asg-slr-eks-nodegroup-fleet.panther.json';
export const ASG_GROUP = 'eks-ng-0ca246e9-cac9e862-bfd9-a821-c9fd-9916df5654eb';

/** A CreateFleet record made from the Auto Scaling RunInstances fixture (no CreateFleet fixture exists). */
export function createFleet(fleetInstanceSet: unknown, extra: Json = {}): Json {
  const record = copy(ASG_SLR);
  record['eventName'] = 'CreateFleet';
  record['requestParameters'] = createFleetRequest(2, [
    { Key: 'aws:autoscaling:groupName', Value: ASG_GROUP, tag: 1 },
    { Key: 'Name', Value: 'node', tag: 2 },
  ]);
  record['responseElements'] = {
    CreateFleetResponse: {
      xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
      fleetId: 'fleet-180da986-0bb4-c936-0c9a-0e20a0c6d1aa',
      fleetInstanceSet: fleetInstanceSet,
      ...extra,
    },
  };
  return record;
}
