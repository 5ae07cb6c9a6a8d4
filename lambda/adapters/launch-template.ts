/**
 * EC2 adapter for the instance-role check: reads one version of a launch template with
 * `DescribeLaunchTemplateVersions` and returns its instance profile and user data. Best effort:
 * it never throws; a failure comes back as a typed problem that the alert shows as "unknown".
 */
import { DescribeLaunchTemplateVersionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { LaunchTemplateRef } from '../core/role-check';
import type { LaunchTemplateFacts, LaunchTemplateReader, LookupProblem } from '../ports';
import { cachedClient } from './regional-clients';

/** The IAM actions this adapter calls, for the function's policy (read-only). */
export const PERMISSIONS = ['ec2:DescribeLaunchTemplateVersions'] as const;

/** True when a lookup result is a problem. */
export function isProblem(value: object): value is LookupProblem {
  return 'code' in value && 'message' in value;
}

/** The problem an SDK failure stands for (classed by the error's name, never its text). */
export function problemOf(error: unknown): LookupProblem {
  return error instanceof Error
    ? { code: error.name, message: error.message }
    : { code: 'Unknown', message: String(error) };
}

/**
 * {@link LaunchTemplateReader} over the AWS SDK. One client per region, made on first use.
 *
 * @example
 * new Ec2LaunchTemplateReader((region) => new EC2Client({ region }));
 */
export class Ec2LaunchTemplateReader implements LaunchTemplateReader {
  private readonly clients = new Map<string, EC2Client>();

  /** @param clientFor makes the EC2 client of a region */
  constructor(private readonly clientFor: (region: string) => EC2Client) {}

  async read(region: string, ref: LaunchTemplateRef): Promise<LaunchTemplateFacts | LookupProblem> {
    if (ref.id === undefined && ref.name === undefined)
      return { code: 'NoLaunchTemplate', message: 'the group names no launch template' };
    try {
      const out = await this.client(region).send(
        new DescribeLaunchTemplateVersionsCommand({
          // The API takes the id or the name, not both.
          ...(ref.id !== undefined ? { LaunchTemplateId: ref.id } : { LaunchTemplateName: ref.name }),
          Versions: [ref.version ?? '$Default'],
        }),
      );
      const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      if (data === undefined) return { code: 'NotFound', message: 'no such launch template version' };
      const profile = data.IamInstanceProfile?.Arn ?? data.IamInstanceProfile?.Name;
      const userData = data.UserData ? Buffer.from(data.UserData, 'base64').toString('utf8') : undefined;
      return {
        ...(profile !== undefined ? { instanceProfile: profile } : {}),
        ...(userData !== undefined ? { userData } : {}),
      };
    } catch (error) {
      return problemOf(error);
    }
  }

  private client(region: string): EC2Client {
    return cachedClient(this.clients, region, (r) => this.clientFor(r));
  }
}
