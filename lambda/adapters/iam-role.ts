/**
 * IAM adapter for the instance-role check: the role of an instance profile
 * (`GetInstanceProfile`) and what the role's policies allow (`SimulatePrincipalPolicy`). Both
 * are read-only. Best effort: it never throws; a failure comes back as a typed problem.
 *
 * The simulator evaluates the role's identity-based policies for the given actions and
 * resources; it does not apply organisation SCPs, permission boundaries or session policies
 * unless they are passed in (IAM API reference, `SimulatePrincipalPolicy`), so a result is a
 * likelihood, never a certainty.
 */
import {
  GetInstanceProfileCommand,
  type IAMClient,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import type { LookupProblem, RoleReader, RoleRef, SimulatedDecision } from '../ports';
import { problemOf } from './launch-template';

/** The IAM actions this adapter calls, for the function's policy (read-only). */
export const PERMISSIONS = ['iam:GetInstanceProfile', 'iam:SimulatePrincipalPolicy'] as const;

/**
 * {@link RoleReader} over the AWS SDK. IAM is global: one client serves every region of a partition.
 *
 * @example
 * new IamRoleReader(new IAMClient({}));
 */
export class IamRoleReader implements RoleReader {
  constructor(private readonly client: IAMClient) {}

  async roleOfProfile(profileName: string): Promise<RoleRef | LookupProblem> {
    try {
      const out = await this.client.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName }));
      const role = out.InstanceProfile?.Roles?.[0];
      if (role?.RoleName === undefined || role.Arn === undefined)
        return { code: 'NoRole', message: `instance profile ${profileName} holds no role` };
      return { name: role.RoleName, arn: role.Arn };
    } catch (error) {
      return problemOf(error);
    }
  }

  async simulate(
    roleArn: string,
    actions: readonly string[],
    resourceArn?: string,
  ): Promise<SimulatedDecision[] | LookupProblem> {
    try {
      const out = await this.client.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: roleArn,
          ActionNames: [...actions],
          ...(resourceArn !== undefined ? { ResourceArns: [resourceArn] } : {}),
        }),
      );
      return (out.EvaluationResults ?? [])
        .filter((r) => r.EvalActionName !== undefined && r.EvalDecision !== undefined)
        .map((r) => ({ action: r.EvalActionName!, decision: String(r.EvalDecision) }));
    } catch (error) {
      return problemOf(error);
    }
  }
}
