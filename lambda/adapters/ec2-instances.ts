/**
 * EC2 adapter for judging launches: the state reason of instances that ended, which tells a
 * Spot interruption (`Server.SpotInstanceTermination`) from a crash
 * (`Client.InstanceInitiatedShutdown`). Auto Scaling words both as "an EC2 health check
 * indicating it has been terminated or stopped". Terminated instances stay visible to
 * `DescribeInstances` for about an hour. Best effort: it never throws; an instance it cannot
 * read simply has no reason.
 */
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';

/** The IAM actions this adapter calls (read-only). */
export const PERMISSIONS = ['ec2:DescribeInstances'] as const;

/** Ids per DescribeInstances call (the API takes up to 1,000 ids; a trip never needs that many). */
const IDS_PER_CALL = 100;

/** Reads why instances ended. */
export interface InstanceStates {
  /** State reason codes by instance id, for the instances EC2 still shows. Never rejects. */
  stateReasons(region: string, instanceIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** {@link InstanceStates} over the AWS SDK. One client per region, made on first use. */
export class Ec2InstanceStates implements InstanceStates {
  private readonly clients = new Map<string, EC2Client>();

  constructor(
    private readonly clientFor: (region: string) => EC2Client,
    private readonly onProblem: (message: string, error: unknown) => void = () => {},
  ) {}

  async stateReasons(region: string, instanceIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const found = new Map<string, string>();
    let client = this.clients.get(region);
    if (client === undefined) {
      client = this.clientFor(region);
      this.clients.set(region, client);
    }
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
