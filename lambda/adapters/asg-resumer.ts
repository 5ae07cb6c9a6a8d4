/**
 * Auto Scaling, for putting a group back: read what the guard left on it, resume the processes
 * it suspended, remove its tags. Used by the resumer function and by the `resume` and `status`
 * commands.
 */
import {
  type AutoScalingClient,
  type AutoScalingGroup,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  ResumeProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { type GroupControl, type GroupState, GUARD_TAG } from '../core/auto-resume';

/** IAM actions this adapter calls. */
export const PERMISSIONS = [
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:ResumeProcesses',
  'autoscaling:DeleteTags',
] as const;

function toState(g: AutoScalingGroup): GroupState {
  const tags: Record<string, string> = {};
  for (const t of g.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  return {
    name: g.AutoScalingGroupName ?? '',
    tags,
    suspendedProcesses: (g.SuspendedProcesses ?? []).flatMap((p) =>
      p.ProcessName === undefined ? [] : [p.ProcessName],
    ),
  };
}

/** {@link GroupControl} on the Auto Scaling API. SDK errors propagate unchanged (callers name them). */
export class AutoScalingGroupControl implements GroupControl {
  constructor(private readonly client: AutoScalingClient) {}

  async describe(name: string): Promise<GroupState | undefined> {
    const out = await this.client.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
    );
    const g = out.AutoScalingGroups?.find((x) => x.AutoScalingGroupName === name);
    return g === undefined ? undefined : toState(g);
  }

  /** Every group in the client's region that carries the guard's `suspended-at` tag. */
  async listGuardSuspended(): Promise<GroupState[]> {
    const found: GroupState[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new DescribeAutoScalingGroupsCommand({
          Filters: [{ Name: 'tag-key', Values: [GUARD_TAG.suspendedAt] }],
          NextToken: token,
        }),
      );
      for (const g of out.AutoScalingGroups ?? []) found.push(toState(g));
      token = out.NextToken;
    } while (token !== undefined && token !== '');
    return found;
  }

  async resume(name: string, processes: readonly string[]): Promise<void> {
    await this.client.send(
      new ResumeProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: [...processes] }),
    );
  }

  async removeGuardTags(name: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.client.send(
      new DeleteTagsCommand({
        Tags: keys.map((Key) => ({
          ResourceId: name,
          ResourceType: 'auto-scaling-group',
          Key,
        })),
      }),
    );
  }
}
