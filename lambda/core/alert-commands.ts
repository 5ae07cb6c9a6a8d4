/**
 * The commands an alert offers: how to undo what a trip did (AWS CLI first, then the guard's own
 * resumer) and what to run by hand when the guard did not act. Re-exported by `./alert.ts`.
 */
import { TRIP_ACTION, type TripReport } from './report';

/** The processes the trip suspended (or would have): `Launch` when the report names none. */
export function suspendedProcesses(report: TripReport): readonly string[] {
  return report.processes.length > 0 ? report.processes : ['Launch'];
}

/** The groups this trip suspended (group scope: the group itself; AMI scope: from `groups`). */
export function suspendedGroups(report: TripReport): string[] {
  if (report.scope.scope === 'asg') return report.action === TRIP_ACTION.suspended ? [report.scope.key] : [];
  return (report.groups ?? []).filter((g) => g.outcome === 'suspended').map((g) => g.groupName);
}

/**
 * The commands that undo what the trip did: first the plain AWS CLI ones ({@link awsUndoCommands}),
 * then the guard's own resume through the deployed resumer function ({@link resumerCommands}).
 * Every one runs with only the AWS CLI, without this repository or any npm package.
 */
export function undoCommands(report: TripReport): string[] {
  return [...awsUndoCommands(report), ...resumerCommands(report)];
}

/**
 * Per suspended group: resume the processes the guard suspended, then remove its tags (when it
 * wrote them). AWS CLI only.
 */
export function awsUndoCommands(report: TripReport): string[] {
  const region = shellWord(report.scope.region);
  const processes = suspendedProcesses(report).map(shellWord).join(' ');
  return suspendedGroups(report).flatMap((name) => [
    `aws autoscaling resume-processes --auto-scaling-group-name ${shellWord(name)} --scaling-processes ${processes} --region ${region}`,
    ...(report.tagged === false ? [] : [deleteTagsCommand(name, report.scope.region)]),
  ]);
}

/**
 * Per suspended group: the guard's own resume (processes, tags, the group's launch window and its
 * auto-resume backoff) by invoking the resumer function every deployment has; empty when the
 * report does not name it. `--cli-binary-format raw-in-base64-out` is AWS CLI v2's switch for a
 * plain-JSON `--payload`.
 */
export function resumerCommands(report: TripReport): string[] {
  const resumer = report.resumer;
  // In central organization mode the resumer (in the central account) acts on a member account's
  // group through that account's operator role: the payload's account says which.
  if (resumer === undefined) return [];
  return suspendedGroups(report).map((groupName) => {
    const payload = JSON.stringify({
      action: 'resume',
      account: report.scope.account,
      region: report.scope.region,
      groupName,
    });
    return `aws lambda invoke --function-name ${shellWord(resumer.functionName)} --region ${shellWord(resumer.region)} --cli-binary-format raw-in-base64-out --payload ${shellWord(payload)} /dev/stdout`;
  });
}

/** The tags the guard writes on a group it suspends (`TAG` in group-settings.ts). */
export const WRITTEN_TAGS = [
  'launch-loop-guard:suspended-at',
  'launch-loop-guard:reason',
  'launch-loop-guard:suspended-processes',
] as const;

/**
 * `aws autoscaling delete-tags` for the guard's tags: shorthand syntax when the group name is
 * plain, JSON syntax otherwise (shorthand splits on `,` and `=`).
 */
export function deleteTagsCommand(groupName: string, region: string): string {
  const tags = WRITTEN_TAGS.map((Key) => ({
    ResourceId: groupName,
    ResourceType: 'auto-scaling-group',
    Key,
  }));
  const plain = /^[A-Za-z0-9._\-/:@+]+$/.test(groupName);
  const value = plain
    ? tags.map((t) => `ResourceId=${t.ResourceId},ResourceType=${t.ResourceType},Key=${t.Key}`).join(' ')
    : shellWord(JSON.stringify(tags));
  return `aws autoscaling delete-tags --tags ${value} --region ${shellWord(region)}`;
}

/** The commands a person can run when the guard did not act, or empty when nothing applies. */
export function byHandCommands(report: TripReport): string[] {
  if (report.scope.scope !== 'asg') return [];
  const name = shellWord(report.scope.key);
  const region = shellWord(report.scope.region);
  const processes = suspendedProcesses(report).map(shellWord).join(' ');
  switch (report.action) {
    case TRIP_ACTION.wouldSuspend:
    case TRIP_ACTION.exempt:
    case TRIP_ACTION.stale:
      return [
        `aws autoscaling suspend-processes --auto-scaling-group-name ${name} --scaling-processes ${processes} --region ${region}`,
      ];
    case TRIP_ACTION.alreadySuspended:
      return [
        `aws autoscaling resume-processes --auto-scaling-group-name ${name} --scaling-processes Launch --region ${region}`,
      ];
    default:
      return [];
  }
}

/** Quote a word for a POSIX shell when it needs it. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9._\-/:@+=,]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
