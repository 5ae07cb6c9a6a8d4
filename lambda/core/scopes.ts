/**
 * The scopes one launch record counts in: one per distinct group and one per distinct AMI.
 */
import type { Caller, LaunchRecord, ScopeKey } from './types';
import type { Mention } from './window';

/** The mentions one launch record adds to one scope. */
export interface ScopeMentions {
  readonly key: ScopeKey;
  /** One mention per instance of the record that names this scope, at the record's eventTime. */
  readonly mentions: readonly Mention[];
  /** The distinct AMI ids of those instances (for a group scope: which AMIs it launched). */
  readonly imageIds: readonly string[];
  /** The distinct group names of those instances (for an AMI scope: which groups launched it). */
  readonly groupNames: readonly string[];
  /** The record's caller label (ARN, else invokedBy), or empty when it has neither. */
  readonly callers: readonly string[];
}

/** A short label for a caller: its ARN when known, else the service that invoked the call. */
export function callerLabel(caller: Caller): string | undefined {
  if (caller.arn !== undefined && caller.arn !== '') return caller.arn;
  if (caller.invokedBy !== undefined && caller.invokedBy !== '') return caller.invokedBy;
  return undefined;
}

/**
 * Split a launch record into the scopes it counts in.
 *
 * @returns one entry per distinct (account, region, group name) and per distinct
 *   (account, region, AMI id), groups first, each in first-seen order.
 */
export function launchScopes(record: LaunchRecord): ScopeMentions[] {
  const groups = new Map<string, Builder>();
  const images = new Map<string, Builder>();
  for (const instance of record.instances) {
    if (instance.groupName !== undefined && instance.groupName !== '') {
      add(groups, instance.groupName, instance.instanceId, instance.imageId, instance.groupName);
    }
    if (instance.imageId !== undefined && instance.imageId !== '') {
      add(images, instance.imageId, instance.instanceId, instance.imageId, instance.groupName);
    }
  }
  const label = callerLabel(record.caller);
  const callers = label === undefined ? [] : [label];
  const out: ScopeMentions[] = [];
  const emit = (scope: 'asg' | 'ami', builders: Map<string, Builder>): void => {
    for (const [key, b] of builders) {
      out.push({
        key: { scope, account: record.account, region: record.region, key },
        mentions: [...b.ids].map((instanceId) => ({ instanceId, time: record.eventTime })),
        imageIds: [...b.imageIds],
        groupNames: [...b.groupNames],
        callers,
      });
    }
  };
  emit('asg', groups);
  emit('ami', images);
  return out;
}

interface Builder {
  readonly ids: Set<string>;
  readonly imageIds: Set<string>;
  readonly groupNames: Set<string>;
}

function add(
  builders: Map<string, Builder>,
  key: string,
  instanceId: string,
  imageId: string | undefined,
  groupName: string | undefined,
): void {
  let b = builders.get(key);
  if (b === undefined) {
    b = { ids: new Set(), imageIds: new Set(), groupNames: new Set() };
    builders.set(key, b);
  }
  b.ids.add(instanceId);
  if (imageId !== undefined && imageId !== '') b.imageIds.add(imageId);
  if (groupName !== undefined && groupName !== '') b.groupNames.add(groupName);
}
