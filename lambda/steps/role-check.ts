/**
 * The instance-role check: group → launch template (or the launched instance's profile) →
 * instance profile → role → a simulation of the ECS agent's actions when the group backs ECS.
 *
 * Best effort by design: every lookup that fails is named in the finding's `unknown` list and
 * the check goes on with what it has; `check` never rejects, so it can neither block nor fail
 * an alert or a suspension. The pure rules are in `core/role-check.ts`.
 */

import { isProblem } from '../adapters/launch-template';
import {
  clusterArn,
  clusterFromUserData,
  ECS_CLUSTER_ACTIONS,
  ECS_INSTANCE_ACTIONS,
  ecsBacking,
  iamNameOf,
  permissionCheck,
  type RoleCheckGroup,
  type RoleFinding,
} from '../core/role-check';
import type {
  GroupSnapshot,
  LaunchTemplateReader,
  LookupProblem,
  RoleChecker,
  RoleReader,
  SimulatedDecision,
} from '../ports';

/**
 * What the check needs about a group, from its live snapshot (`AsgSuspender.describeGroup`) and,
 * when known, a launched instance's profile and the family of the AMI it uses. The trip path can
 * build its input the same way as the AMI-change step.
 */
export function roleCheckGroup(
  account: string,
  name: string,
  snapshot: Pick<GroupSnapshot, 'tags' | 'launchTemplate'> | undefined,
  known: Pick<RoleCheckGroup, 'instanceProfileArn' | 'imageFamily' | 'capacityProvider' | 'cluster'> = {},
): RoleCheckGroup {
  return {
    account,
    name,
    ...(snapshot ? { tags: snapshot.tags } : {}),
    ...(snapshot?.launchTemplate ? { launchTemplate: snapshot.launchTemplate } : {}),
    ...Object.fromEntries(Object.entries(known).filter(([, v]) => v !== undefined)),
  };
}

function phrase(what: string, problem: LookupProblem): string {
  return `${what} (${problem.code})`;
}

/**
 * {@link RoleChecker} over the launch-template and IAM adapters.
 *
 * @example
 * const roles = new InstanceRoleChecker(
 *   new Ec2LaunchTemplateReader((region) => new EC2Client({ region })),
 *   new IamRoleReader(new IAMClient({})),
 * );
 * const finding = await roles.check('eu-west-1', { account, name, launchTemplate, imageFamily });
 */
export class InstanceRoleChecker implements RoleChecker {
  constructor(
    private readonly templates: LaunchTemplateReader,
    private readonly roles: RoleReader,
  ) {}

  async check(region: string, group: RoleCheckGroup): Promise<RoleFinding> {
    try {
      return await this.run(region, group);
    } catch (error) {
      // The adapters never throw; this guards against a bug turning into a failed alert.
      const code = error instanceof Error ? error.name : 'Error';
      return { ecs: ecsBacking(group), unknown: [`the instance role (${code})`] };
    }
  }

  private async run(region: string, group: RoleCheckGroup): Promise<RoleFinding> {
    const unknown: string[] = [];
    let profile = group.instanceProfileArn;
    let userDataCluster: string | undefined;
    if (group.launchTemplate !== undefined) {
      const template = await this.templates.read(region, group.launchTemplate);
      if (isProblem(template)) unknown.push(phrase('the launch template', template));
      else {
        profile ??= template.instanceProfile;
        userDataCluster = clusterFromUserData(template.userData);
      }
    }
    const ecs = ecsBacking(group, userDataCluster);
    if (profile === undefined) {
      if (unknown.length === 0) unknown.push('the instance profile (the launch does not name one)');
      return { ecs, unknown };
    }
    const instanceProfile = iamNameOf(profile);
    const role = await this.roles.roleOfProfile(instanceProfile);
    if (isProblem(role)) {
      unknown.push(phrase(`the role of instance profile \`${instanceProfile}\``, role));
      return { instanceProfile, ecs, unknown };
    }
    const found = { instanceProfile, role, ecs };
    if (!ecs.backs) return { ...found, unknown };

    const resource = ecs.cluster !== undefined ? clusterArn(ecs.cluster, region, group.account) : undefined;
    const [onCluster, onInstance] = await Promise.all([
      this.roles.simulate(role.arn, ECS_CLUSTER_ACTIONS, resource),
      this.roles.simulate(role.arn, ECS_INSTANCE_ACTIONS),
    ]);
    const problem = [onCluster, onInstance].find((r) => isProblem(r as object)) as LookupProblem | undefined;
    if (problem !== undefined) {
      unknown.push(phrase(`what role \`${role.name}\` may do`, problem));
      return { ...found, unknown };
    }
    const decisions = [...(onCluster as SimulatedDecision[]), ...(onInstance as SimulatedDecision[])];
    return { ...found, permissions: permissionCheck(decisions, resource), unknown };
  }
}
