/**
 * EC2 adapter for judging launches: the state reason of instances that ended, which tells a
 * Spot interruption (`Server.SpotInstanceTermination`) from a crash
 * (`Client.InstanceInitiatedShutdown`). Auto Scaling words both as "an EC2 health check
 * indicating it has been terminated or stopped". Terminated instances stay visible to
 * `DescribeInstances` for about an hour. Best effort: it never throws; an instance it cannot
 * read simply has no reason.
 */
import { DescribeInstanceStatusCommand, DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { InstanceStates, LaunchFactsOfAmi } from '../ports';
import { cachedClient } from './regional-clients';

/** The IAM actions this adapter calls (read-only). */
export const PERMISSIONS = ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'] as const;

/** Ids per DescribeInstances call (the API takes up to 1,000 ids; a trip never needs that many). */
const IDS_PER_CALL = 100;

/** `User initiated (2026-01-02 03:04:05 GMT)`: the time EC2 gives in a state transition reason. */
export function transitionTime(reason: string | undefined): number | undefined {
  const m = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) GMT\)/.exec(reason ?? '');
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}T${m[2]}Z`);
  return Number.isFinite(t) ? t : undefined;
}

/** {@link InstanceStates} over the AWS SDK. One client per region, made on first use. */
export class Ec2InstanceStates implements InstanceStates {
  private readonly clients = new Map<string, EC2Client>();

  constructor(
    private readonly clientFor: (region: string) => EC2Client,
    private readonly onProblem: (message: string, error: unknown) => void = () => {},
  ) {}

  private client(region: string): EC2Client {
    return cachedClient(this.clients, region, (r) => this.clientFor(r));
  }

  async launchFacts(
    region: string,
    instanceIds: readonly string[],
  ): Promise<ReadonlyMap<string, LaunchFactsOfAmi>> {
    const client = this.client(region);
    const found = new Map<string, LaunchFactsOfAmi>();
    // A filter, not `InstanceIds`: an id EC2 no longer shows is left out instead of failing the call.
    for (let i = 0; i < instanceIds.length; i += IDS_PER_CALL) {
      const ids = instanceIds.slice(i, i + IDS_PER_CALL);
      let token: string | undefined;
      try {
        do {
          const out = await client.send(
            new DescribeInstancesCommand({
              Filters: [{ Name: 'instance-id', Values: [...ids] }],
              ...(token !== undefined ? { NextToken: token } : {}),
            }),
          );
          for (const r of out.Reservations ?? [])
            for (const inst of r.Instances ?? []) {
              if (inst.InstanceId === undefined) continue;
              const groupName = inst.Tags?.find((t) => t.Key === 'aws:autoscaling:groupName')?.Value;
              const endedAt = transitionTime(inst.StateTransitionReason);
              found.set(inst.InstanceId, {
                state: inst.State?.Name ?? 'unknown',
                ...(groupName !== undefined && groupName !== '' ? { groupName } : {}),
                ...(inst.ImageId !== undefined ? { imageId: inst.ImageId } : {}),
                ...(inst.StateReason?.Code !== undefined ? { stateReason: inst.StateReason.Code } : {}),
                ...(endedAt !== undefined ? { endedAt } : {}),
              });
            }
          token = out.NextToken;
        } while (token !== undefined && token !== '');
      } catch (error) {
        this.onProblem(`DescribeInstances failed in ${region}`, error);
      }
    }
    const running = [...found]
      .filter(([, f]) => f.groupName === undefined && f.state === 'running')
      .map(([id]) => id);
    for (let i = 0; i < running.length; i += IDS_PER_CALL) {
      const ids = running.slice(i, i + IDS_PER_CALL);
      try {
        const out = await client.send(new DescribeInstanceStatusCommand({ InstanceIds: ids }));
        for (const st of out.InstanceStatuses ?? []) {
          const known = st.InstanceId !== undefined ? found.get(st.InstanceId) : undefined;
          if (known === undefined || st.InstanceId === undefined) continue;
          found.set(st.InstanceId, {
            ...known,
            checks: {
              instance: st.InstanceStatus?.Status ?? 'unknown',
              system: st.SystemStatus?.Status ?? 'unknown',
            },
          });
        }
      } catch (error) {
        // Unread checks leave the launch undecided: they never invent a failure.
        this.onProblem(`DescribeInstanceStatus failed in ${region}`, error);
      }
    }
    return found;
  }

  async stateReasons(region: string, instanceIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const found = new Map<string, string>();
    const client = this.client(region);
    for (let i = 0; i < instanceIds.length; i += IDS_PER_CALL) {
      const ids = instanceIds.slice(i, i + IDS_PER_CALL);
      try {
        const out = await client.send(new DescribeInstancesCommand({ InstanceIds: ids }));
        for (const r of out.Reservations ?? [])
          for (const inst of r.Instances ?? []) {
            if (inst.InstanceId !== undefined && inst.StateReason?.Code !== undefined)
              found.set(inst.InstanceId, inst.StateReason.Code);
          }
      } catch (error) {
        // InvalidInstanceID.NotFound for an instance gone longer than EC2 keeps it, or no access:
        // the launch is judged by its Auto Scaling cause alone.
        this.onProblem(`DescribeInstances failed in ${region}`, error);
      }
    }
    return found;
  }
}
