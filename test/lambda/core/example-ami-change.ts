/**
 * AMI-change reports for tests: the incident (standard AL2023 → ECS Neuron, a role without ECS
 * permissions) and a routine upgrade.
 */
import { assessAmiChange, type ImageFacts } from '../../../lambda/core/ami-change';
import type { AmiChangeReport } from '../../../lambda/core/ami-change-alert';
import { likelyCause, permissionCheck, type RoleFinding } from '../../../lambda/core/role-check';

export const STANDARD: ImageFacts = {
  imageId: 'ami-0a1b2c3d4e5f60718',
  name: 'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
  ownerAlias: 'amazon',
  ownerId: '137112412989',
  creationDate: '2025-12-08T10:00:00.000Z',
  architecture: 'x86_64',
};

export const STANDARD_NEXT: ImageFacts = {
  ...STANDARD,
  imageId: 'ami-0b1b2c3d4e5f60719',
  name: 'al2023-ami-2023.9.20251215.0-kernel-6.1-x86_64',
  creationDate: '2025-12-15T10:00:00.000Z',
};

export const NEURON: ImageFacts = {
  imageId: 'ami-0d136904eaba14b45',
  name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
  ownerAlias: 'amazon',
  ownerId: '137112412989',
  creationDate: '2025-12-09T10:00:00.000Z',
  architecture: 'x86_64',
};

/** The role of the incident: ECS-backed, cluster `prod`, no ECS permission at all. */
export function deniedRole(): RoleFinding {
  const resource = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';
  return {
    instanceProfile: '2sec-dev-ec2-profile',
    role: { name: '2sec-dev-ec2-role', arn: 'arn:aws:iam::123456789012:role/2sec-dev-ec2-role' },
    ecs: { backs: true, evidence: ['ami-family', 'user-data'], cluster: 'prod' },
    permissions: permissionCheck(
      [{ action: 'ecs:RegisterContainerInstance', decision: 'implicitDeny' }],
      resource,
    ),
    unknown: [],
  };
}

function report(after: ImageFacts, before: ImageFacts, role?: RoleFinding): AmiChangeReport {
  const assessment = assessAmiChange(after, [before]);
  const cause = role !== undefined ? likelyCause(role, assessment.after.family) : undefined;
  return {
    kind: 'ami-change',
    group: { scope: 'asg', account: '123456789012', region: 'eu-west-1', key: 'ecs-capacity-provider-asg' },
    assessment,
    ...(role !== undefined ? { role } : {}),
    ...(cause !== undefined ? { likelyCause: cause } : {}),
    eventId: '41fab871-150b-43ad-b42a-39fff3f2ca4e',
    launchedAt: Date.UTC(2025, 11, 10, 9, 0, 0),
    instanceIds: ['i-0123456789abcdef0'],
    threshold: 10,
    windowMs: 3_600_000,
  };
}

/** The incident's first Neuron launch. */
export function incidentAmiChange(): AmiChangeReport {
  return report(NEURON, STANDARD, deniedRole());
}

/** A newer release of the standard AMI. */
export function routineAmiChange(): AmiChangeReport {
  return report(STANDARD_NEXT, STANDARD);
}
