import { describe, expect, it } from 'vitest';
import { ECS_AGENT_ACTIONS, type RoleCheckGroup } from '../../../lambda/core/role-check';
import type {
  LaunchTemplateFacts,
  LaunchTemplateReader,
  LookupProblem,
  RoleReader,
  RoleRef,
  SimulatedDecision,
} from '../../../lambda/ports';
import { InstanceRoleChecker, roleCheckGroup } from '../../../lambda/steps/role-check';

const ACCOUNT = '123456789012';
const ROLE: RoleRef = { name: 'ecs-role', arn: `arn:aws:iam::${ACCOUNT}:role/ecs-role` };

/** Launch templates and IAM as plain answers; each call is recorded. */
function world(opts: {
  template?: LaunchTemplateFacts | LookupProblem;
  role?: RoleRef | LookupProblem;
  allowed?: readonly string[];
  simulate?: LookupProblem;
}) {
  const calls: string[] = [];
  const simulations: { actions: readonly string[]; resource?: string }[] = [];
  const templates: LaunchTemplateReader = {
    async read(_region, ref) {
      calls.push(`template ${ref.id ?? ref.name}`);
      return opts.template ?? {};
    },
  };
  const roles: RoleReader = {
    async roleOfProfile(name) {
      calls.push(`profile ${name}`);
      return opts.role ?? ROLE;
    },
    async simulate(_arn, actions, resource): Promise<SimulatedDecision[] | LookupProblem> {
      simulations.push({ actions, ...(resource !== undefined ? { resource } : {}) });
      if (opts.simulate) return opts.simulate;
      return actions.map((action) => ({
        action,
        decision: (opts.allowed ?? []).includes(action) ? 'allowed' : 'implicitDeny',
      }));
    },
  };
  const checker = new InstanceRoleChecker(templates, roles);
  /** Check the role of group `asg` of ACCOUNT in eu-west-1. */
  const check = (group: Omit<RoleCheckGroup, 'account' | 'name'>) =>
    checker.check('eu-west-1', { account: ACCOUNT, name: 'asg', ...group });
  return { checker, check, calls, simulations };
}

describe('InstanceRoleChecker', () => {
  it('goes from the launch template to the profile, the role and the simulation against the user-data cluster', async () => {
    // Prepare
    const w = world({
      template: {
        instanceProfile: `arn:aws:iam::${ACCOUNT}:instance-profile/ecs-profile`,
        userData: 'ECS_CLUSTER=prod',
      },
      allowed: ECS_AGENT_ACTIONS.filter((a) => a !== 'ecs:RegisterContainerInstance'),
    });
    // Act
    const finding = await w.check({
      launchTemplate: { id: 'lt-1', version: '3' },
      imageFamily: 'al2023-ecs-neuron',
    });
    // Assess
    expect(finding).toEqual({
      instanceProfile: 'ecs-profile',
      role: ROLE,
      ecs: { backs: true, evidence: ['ami-family', 'user-data'], cluster: 'prod' },
      permissions: {
        denied: ['ecs:RegisterContainerInstance'],
        explicitlyDenied: [],
        resourceArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/prod`,
      },
      unknown: [],
    });
    expect(w.calls).toEqual(['template lt-1', 'profile ecs-profile']);
    expect(w.simulations).toContainEqual({
      actions: expect.arrayContaining(['ecs:RegisterContainerInstance']),
      resource: `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/prod`,
    });
    expect(w.simulations).toContainEqual({
      actions: ['ecs:DiscoverPollEndpoint', 'ecs:Poll', 'ecs:StartTelemetrySession'],
    });
  });

  it("prefers the launched instance's profile to the template's", async () => {
    const w = world({ template: { instanceProfile: 'template-profile' } });
    const finding = await w.check({
      launchTemplate: { id: 'lt-1' },
      instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/launched-profile`,
    });
    expect(finding.instanceProfile).toBe('launched-profile');
  });

  it('does not simulate for a group that does not back ECS', async () => {
    const w = world({});
    const finding = await w.check({
      instanceProfileArn: 'web-profile',
      imageFamily: 'al2023-standard',
    });
    expect(finding).toEqual({
      instanceProfile: 'web-profile',
      role: ROLE,
      ecs: { backs: false, evidence: [] },
      unknown: [],
    });
    expect(w.simulations).toEqual([]);
  });

  it('simulates against every resource when no cluster is known', async () => {
    const w = world({});
    const finding = await w.check({
      instanceProfileArn: 'p',
      capacityProvider: true,
    });
    expect(finding.permissions?.resourceArn).toBeUndefined();
    expect(w.simulations.every((s) => s.resource === undefined)).toBe(true);
  });

  it('names every lookup that failed and keeps what it found', async () => {
    // Prepare
    const w = world({
      template: { code: 'UnauthorizedOperation', message: 'no' },
      simulate: { code: 'AccessDenied', message: 'no' },
    });
    // Act
    const finding = await w.check({
      launchTemplate: { id: 'lt-1' },
      instanceProfileArn: 'p',
      imageFamily: 'al2023-ecs',
    });
    // Assess
    expect(finding.role).toEqual(ROLE);
    expect(finding.permissions).toBeUndefined();
    expect(finding.unknown).toEqual([
      'the launch template (UnauthorizedOperation)',
      'what role `ecs-role` may do (AccessDenied)',
    ]);
  });

  it('says the profile is unknown when nothing names one', async () => {
    const w = world({ template: {} });
    const finding = await w.check({
      launchTemplate: { id: 'lt-1' },
    });
    expect(finding.unknown).toEqual(['the instance profile (the launch does not name one)']);
    expect(finding.role).toBeUndefined();
  });

  it('never rejects, even when an adapter breaks its promise not to throw', async () => {
    const checker = new InstanceRoleChecker(
      {
        read: async () => {
          throw new TypeError('bug');
        },
      },
      { roleOfProfile: async () => ROLE, simulate: async () => [] },
    );
    const finding = await checker.check('eu-west-1', {
      account: ACCOUNT,
      name: 'asg',
      launchTemplate: { id: 'lt-1' },
    });
    expect(finding.unknown).toEqual(['the instance role (TypeError)']);
  });
});

describe('roleCheckGroup', () => {
  it("takes the group's tags and launch template and leaves out what is not known", () => {
    expect(
      roleCheckGroup(
        ACCOUNT,
        'asg',
        { tags: { team: 'a' }, launchTemplate: { id: 'lt-1', version: '$Latest' } },
        { instanceProfileArn: undefined, imageFamily: 'al2023-ecs' },
      ),
    ).toEqual({
      account: ACCOUNT,
      name: 'asg',
      tags: { team: 'a' },
      launchTemplate: { id: 'lt-1', version: '$Latest' },
      imageFamily: 'al2023-ecs',
    });
    expect(roleCheckGroup(ACCOUNT, 'asg', undefined)).toEqual({ account: ACCOUNT, name: 'asg' });
  });
});
