/** The values the event parser returns: launches (checked instance by instance), failed attempts, not-launches. */
import { isGroupName, isImageId, isInstanceId } from './identifiers';
import { NOT_LAUNCH_REASON } from './parse-event-terms';
import type {
  FailedAttempt,
  LaunchedInstance,
  LaunchRecord,
  LaunchSource,
  NotLaunch,
  ParsedEvent,
  RecordHeader,
} from './types';

/** The reason an instance's identifiers are malformed, or undefined when they are well formed. */
export function badScopeIds(
  imageId: string | undefined,
  groupName: string | undefined,
): keyof typeof NOT_LAUNCH_REASON | undefined {
  if (imageId !== undefined && !isImageId(imageId)) return 'badImageId';
  if (groupName !== undefined && !isGroupName(groupName)) return 'badGroupName';
  return undefined;
}

/** Collects a record's instances, dropping (and counting) those with a malformed identifier. */
export class CheckedInstances {
  private readonly kept: LaunchedInstance[] = [];
  private dropped = 0;
  private firstReason: keyof typeof NOT_LAUNCH_REASON | undefined;
  /** Instances offered, kept or not. */
  seen = 0;

  add(candidate: LaunchedInstance): void {
    this.seen += 1;
    const reason = isInstanceId(candidate.instanceId)
      ? badScopeIds(candidate.imageId, candidate.groupName)
      : 'badInstanceId';
    if (reason === undefined) {
      this.kept.push(candidate);
      return;
    }
    this.dropped += 1;
    this.firstReason ??= reason;
  }

  /** The launch of the kept instances, or a malformed not-launch when none is left. */
  launch(header: RecordHeader, source: LaunchSource, none: keyof typeof NOT_LAUNCH_REASON): ParsedEvent {
    if (this.kept.length === 0) return notLaunch(this.firstReason ?? none, true);
    const record = launch(header, source, this.kept, false);
    if (this.dropped === 0) return record;
    return { ...record, droppedInstances: this.dropped, droppedReason: NOT_LAUNCH_REASON[this.firstReason!] };
  }
}

/** A launch record of the instances. */
export function launch(
  header: RecordHeader,
  source: LaunchSource,
  instances: LaunchedInstance[],
  truncated: boolean,
): LaunchRecord {
  return { ...header, kind: 'launch', source, instances, truncated };
}

/** A launch whose instance list was cut: `count` synthetic ids `<eventID>#<n>`. */
export function truncatedLaunch(
  header: RecordHeader,
  source: LaunchSource,
  count: number,
  from: {
    imageId?: string | undefined;
    groupName?: string | undefined;
    launchTemplateId?: string | undefined;
  },
): LaunchRecord {
  const instances: LaunchedInstance[] = [];
  for (let n = 0; n < count; n += 1) {
    instances.push(instance(`${header.eventId}#${n}`, from.imageId, from.groupName, from.launchTemplateId));
  }
  return launch(header, source, instances, true);
}

/** One launched instance, with the identifiers that are known. */
export function instance(
  instanceId: string,
  imageId: string | undefined,
  groupName: string | undefined,
  launchTemplateId: string | undefined,
  instanceProfileArn?: string,
): LaunchedInstance {
  return {
    instanceId,
    ...(imageId === undefined ? {} : { imageId }),
    ...(groupName === undefined ? {} : { groupName }),
    ...(launchTemplateId === undefined ? {} : { launchTemplateId }),
    ...(instanceProfileArn === undefined ? {} : { instanceProfileArn }),
  };
}

/** A launch call that launched nothing. */
export function failedAttempt(
  header: RecordHeader,
  eventName: string,
  errorCode: string,
  imageId: string | undefined,
  groupName: string | undefined,
): FailedAttempt {
  return {
    ...header,
    kind: 'failed',
    eventName,
    errorCode,
    // Logged only: a malformed AMI or group is left out rather than failing the record.
    ...(imageId === undefined || !isImageId(imageId) ? {} : { imageId }),
    ...(groupName === undefined || !isGroupName(groupName) ? {} : { groupName }),
  };
}

/** A not-launch with its fixed reason. */
export function notLaunch(reason: keyof typeof NOT_LAUNCH_REASON, malformed = false): NotLaunch {
  return { kind: 'not-launch', reason: NOT_LAUNCH_REASON[reason], malformed };
}
