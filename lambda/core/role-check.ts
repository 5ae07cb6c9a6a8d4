/**
 * # The instance-role check
 *
 * In the incident, the new image was ECS-optimized and expected its instances to join an ECS
 * cluster, and the group's instance role could not: every instance booted, never registered,
 * and was replaced. This file holds the pure half of the check: whether a group backs ECS,
 * which actions its role must be allowed, and the one "Likely cause" line the findings make.
 * The lookups (launch template, instance profile, policy simulation) are in
 * `lambda/steps/role-check.ts` and its adapters.
 *
 * The actions are those the ECS agent calls, as granted by AWS's managed policy for container
 * instances, `AmazonEC2ContainerServiceforEC2Role` (`ecs:DiscoverPollEndpoint`, `ecs:Poll`,
 * `ecs:RegisterContainerInstance`, `ecs:StartTelemetrySession`, `ecs:Submit*`; ECS developer
 * guide, "Amazon ECS managed policies"). The simulator takes concrete action names, so
 * `ecs:Submit*` is spelled out. `iam:SimulatePrincipalPolicy` evaluates the role's own policies
 * only: organisation SCPs, permission boundaries and session policies can deny what it allows,
 * so every finding says "may" and "likely".
 */
import { ECS_FAMILIES, FAMILY_LABEL } from './ami-change';

/** ECS agent actions whose resource is the cluster (simulated against the cluster's ARN when known). */
export const ECS_CLUSTER_ACTIONS = [
  'ecs:RegisterContainerInstance',
  'ecs:SubmitAttachmentStateChanges',
  'ecs:SubmitContainerStateChange',
  'ecs:SubmitTaskStateChange',
] as const;
/** ECS agent actions without a cluster resource (`DiscoverPollEndpoint`) or on the container instance. */
export const ECS_INSTANCE_ACTIONS = [
  'ecs:DiscoverPollEndpoint',
  'ecs:Poll',
  'ecs:StartTelemetrySession',
] as const;
/** Every action the check simulates, the one that decides registration first. */
export const ECS_AGENT_ACTIONS: readonly string[] = [...ECS_CLUSTER_ACTIONS, ...ECS_INSTANCE_ACTIONS];

/** Tags the check reads on the group. */
export const ROLE_CHECK_TAG = {
  /** The guard's own tag naming the ECS cluster the group's instances join (name or ARN). */
  ecsCluster: 'launch-loop-guard:ecs-cluster',
  /** Set by ECS on groups that a capacity provider with managed scaling uses. */
  ecsManaged: 'AmazonECSManaged',
} as const;

/** A launch template as a group names it. */
export interface LaunchTemplateRef {
  readonly id?: string;
  readonly name?: string;
  /** A version number, `$Latest` or `$Default` (the default when absent). */
  readonly version?: string;
}

/** What the check is told about a group. */
export interface RoleCheckGroup {
  readonly account: string;
  readonly name: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** The group's launch template (or its mixed instances policy's). */
  readonly launchTemplate?: LaunchTemplateRef;
  /** The instance profile a launched instance carries (from its launch record). */
  readonly instanceProfileArn?: string;
  /** The family of the AMI the group now launches, when known. */
  readonly imageFamily?: string;
  /** True when the caller knows the group backs an ECS capacity provider. */
  readonly capacityProvider?: boolean;
  /** The ECS cluster, when the caller knows it (name or ARN). */
  readonly cluster?: string;
}

/** Why a group is taken to back ECS. */
export type EcsEvidence = 'ami-family' | 'cluster-tag' | 'capacity-provider' | 'user-data';

/** The result of simulating the ECS agent's actions for the role. */
export interface EcsPermissionCheck {
  /** Actions the simulator did not allow (implicit or explicit deny), in {@link ECS_AGENT_ACTIONS} order. */
  readonly denied: readonly string[];
  /** Actions it denied explicitly (a Deny statement). */
  readonly explicitlyDenied: readonly string[];
  /** The cluster ARN the cluster actions were checked against; undefined: against `*`. */
  readonly resourceArn?: string;
}

/** What the check found. Every field is best effort: what could not be read is in `unknown`. */
export interface RoleFinding {
  readonly instanceProfile?: string;
  readonly role?: { readonly name: string; readonly arn: string };
  readonly ecs: {
    readonly backs: boolean;
    readonly evidence: readonly EcsEvidence[];
    /** The cluster's name, when known. */
    readonly cluster?: string;
  };
  /** Undefined when not checked (not ECS, or the role is unknown, or the simulation failed). */
  readonly permissions?: EcsPermissionCheck;
  /** One phrase per lookup that failed, e.g. "the instance profile (AccessDenied)". */
  readonly unknown: readonly string[];
}

/**
 * Whether the group backs ECS, and why.
 *
 * @param userDataCluster the cluster named by `ECS_CLUSTER=` in the launch template's user data
 */
export function ecsBacking(
  group: RoleCheckGroup,
  userDataCluster?: string,
): { backs: boolean; evidence: EcsEvidence[]; cluster?: string } {
  const evidence: EcsEvidence[] = [];
  if (group.imageFamily !== undefined && ECS_FAMILIES.has(group.imageFamily)) evidence.push('ami-family');
  const tagged = group.tags?.[ROLE_CHECK_TAG.ecsCluster]?.trim();
  if (tagged) evidence.push('cluster-tag');
  if (group.capacityProvider === true || group.tags?.[ROLE_CHECK_TAG.ecsManaged] !== undefined)
    evidence.push('capacity-provider');
  if (userDataCluster !== undefined) evidence.push('user-data');
  const cluster = clusterName(group.cluster) ?? clusterName(tagged) ?? userDataCluster;
  return { backs: evidence.length > 0, evidence, ...(cluster !== undefined ? { cluster } : {}) };
}

/** The cluster name of a name or a cluster ARN (`arn:aws:ecs:r:a:cluster/name`). */
export function clusterName(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const arn = /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(v);
  return arn ? arn[1] : v;
}

/** The cluster named in user data by `ECS_CLUSTER=name` (as `/etc/ecs/ecs.config` takes it). */
export function clusterFromUserData(userData: string | undefined): string | undefined {
  if (userData === undefined) return undefined;
  const m = /\bECS_CLUSTER\s*=\s*["']?([A-Za-z0-9_-]{1,255})/.exec(userData);
  return m?.[1];
}

/** The partition of a region (`aws`, `aws-cn`, `aws-us-gov`). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The ARN of a cluster of the group's account and region. */
export function clusterArn(cluster: string, region: string, account: string): string {
  return `arn:${partitionOf(region)}:ecs:${region}:${account}:cluster/${cluster}`;
}

/** The name at the end of an IAM ARN (`arn:aws:iam::a:instance-profile/path/name` → `name`). */
export function iamNameOf(arnOrName: string): string {
  const slash = arnOrName.lastIndexOf('/');
  return slash >= 0 && arnOrName.startsWith('arn:') ? arnOrName.slice(slash + 1) : arnOrName;
}

/** Turn the simulator's decisions into the check's result. */
export function permissionCheck(
  decisions: readonly { readonly action: string; readonly decision: string }[],
  resourceArn: string | undefined,
): EcsPermissionCheck {
  const notAllowed = new Set(decisions.filter((d) => d.decision !== 'allowed').map((d) => d.action));
  const explicit = new Set(decisions.filter((d) => d.decision === 'explicitDeny').map((d) => d.action));
  return {
    denied: ECS_AGENT_ACTIONS.filter((a) => notAllowed.has(a)),
    explicitlyDenied: ECS_AGENT_ACTIONS.filter((a) => explicit.has(a)),
    ...(resourceArn !== undefined ? { resourceArn } : {}),
  };
}

/**
 * The "Likely cause" line, or undefined when the findings point to nothing.
 *
 * @param imageFamily the family of the AMI the instances use, for the sentence
 * @example
 * // "instances use the ECS-optimized Neuron AMI and role `2sec-dev-ec2-role` may not call
 * //  ecs:RegisterContainerInstance: they cannot join cluster `prod`"
 */
export function likelyCause(finding: RoleFinding, imageFamily?: string): string | undefined {
  const denied = finding.permissions?.denied ?? [];
  if (!finding.ecs.backs || finding.role === undefined || denied.length === 0) return undefined;
  const image = imageFamily !== undefined ? FAMILY_LABEL[imageFamily] : undefined;
  const uses = image !== undefined ? `instances use ${image} and role` : 'the instance role';
  const rest = denied.length - 1;
  const shown =
    rest > 0 ? `${denied[0]} (nor ${rest} other ECS agent action${rest === 1 ? '' : 's'})` : denied[0];
  const where =
    finding.ecs.cluster !== undefined ? `cluster \`${finding.ecs.cluster}\`` : 'their ECS cluster';
  const registers = denied.includes('ecs:RegisterContainerInstance');
  const consequence = registers ? `they cannot join ${where}` : `they may join ${where} but not run tasks`;
  return `${uses} \`${finding.role.name}\` may not call ${shown}: ${consequence}`;
}

/** The simulator's blind spots, said once wherever a permission finding is shown. */
export const SIMULATOR_CAVEAT =
  "IAM policy simulation of the role's own policies; SCPs and permission boundaries may deny more";

/** One line on the instance role for an alert: what it is and what it may do, or "unknown". */
export function roleLine(finding: RoleFinding): string {
  const profile =
    finding.instanceProfile !== undefined ? ` (instance profile \`${finding.instanceProfile}\`)` : '';
  const unknown = finding.unknown.length > 0 ? ` (could not read ${finding.unknown.join('; ')})` : '';
  if (finding.role === undefined) return `unknown${unknown}`;
  const head = `\`${finding.role.name}\`${profile}`;
  if (!finding.ecs.backs)
    return `${head}; the group does not appear to back ECS, so its ECS permissions were not checked${unknown}`;
  const p = finding.permissions;
  if (p === undefined) return `${head}; its ECS agent permissions are unknown${unknown}`;
  const against =
    p.resourceArn !== undefined ? ` on ${p.resourceArn}` : ' (no cluster known: checked against `*`)';
  if (p.denied.length === 0) return `${head} may call the ECS agent's actions${against}`;
  const explicit =
    p.explicitlyDenied.length > 0 ? ` (explicitly denied: ${p.explicitlyDenied.join(', ')})` : '';
  return `${head} may not call ${p.denied.join(', ')}${against}${explicit}`;
}
