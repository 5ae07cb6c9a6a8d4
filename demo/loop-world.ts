/**
 * The demo's world: what Auto Scaling, EC2 and ECS show for the incident's group at a given
 * moment. The loop's script (demo/generate-incident.ts, `loopLaunches`) says what would happen
 * left alone; {@link LoopWorld.advanceTo} writes into the fake AWS what has happened by then,
 * except that a group whose Launch process is suspended launches nothing more.
 */
import type { FakeActivity, FakeAws, FakeGroup } from '../fake-cloud/static-state';
import { healthCause, type LoopLaunch, loopLaunches } from './generate-incident';
import { INCIDENT, type Variant } from './incident';

const I = INCIDENT;

/** The group's ARN (the capacity provider points at it). */
export const GROUP_ARN = `arn:aws:autoscaling:${I.region}:${I.account}:autoScalingGroup:6f4c2b1a-0000-4000-8000-00000000e5c5:autoScalingGroupName/${I.groupName}`;

/** One thing that happens to the group at a moment. */
interface Happening {
  readonly at: number;
  readonly launch: LoopLaunch;
  readonly what: 'launch' | 'in-service' | 'stops' | 'out-of-service' | 'terminated';
}

/**
 * The ECS agent's calls the role needs (AmazonEC2ContainerServiceforEC2Role). In the default
 * story the role has none of them; in `replace` the role is fine and the instances fail otherwise.
 */
const ECS_AGENT_ACTIONS = [
  'ecs:RegisterContainerInstance',
  'ecs:DeregisterContainerInstance',
  'ecs:DiscoverPollEndpoint',
  'ecs:Poll',
  'ecs:StartTelemetrySession',
  'ecs:SubmitContainerStateChange',
  'ecs:SubmitTaskStateChange',
  'ecs:SubmitAttachmentStateChanges',
];

/** Seed the group's launch template, its instance profile and the profile's role. */
function seedInstanceRole(fake: FakeAws, group: FakeGroup, variant: Variant): void {
  const roleArn = `arn:aws:iam::${I.account}:role/${I.instanceRole}`;
  group.launchTemplate = { id: I.launchTemplateId, name: I.launchTemplateName };
  fake.iam.launchTemplates.set(I.launchTemplateId, {
    id: I.launchTemplateId,
    name: I.launchTemplateName,
    imageId: I.imageId,
    instanceProfileArn: `arn:aws:iam::${I.account}:instance-profile/${I.instanceProfile}`,
    userData: `#!/bin/bash\necho ECS_CLUSTER=${I.cluster} >> /etc/ecs/ecs.config\n`,
  });
  fake.iam.profiles.set(I.instanceProfile, {
    name: I.instanceProfile,
    arn: `arn:aws:iam::${I.account}:instance-profile/${I.instanceProfile}`,
    roleName: I.instanceRole,
    roleArn,
  });
  fake.iam.allowed.set(
    roleArn,
    new Set(['s3:GetObject', 'logs:PutLogEvents', ...(variant === 'replace' ? ECS_AGENT_ACTIONS : [])]),
  );
}

/** Seed the fake with the group, its cluster and capacity provider, and the AMI. */
export function seedWorld(fake: FakeAws, variant: Variant = 'unregistered'): FakeGroup {
  const group: FakeGroup = {
    name: I.groupName,
    arn: GROUP_ARN,
    healthCheckGracePeriod: I.healthCheckGracePeriod,
    tags: new Map([['AmazonECSManaged', '']]),
    suspended: new Set(),
    instances: new Map(),
    desired: 0,
    maxSize: I.maxSize,
    activities: [],
  };
  fake.groups.set(I.groupName, group);
  seedInstanceRole(fake, group, variant);
  fake.images.set(I.imageId, {
    name: I.imageName,
    description: 'Amazon Linux AMI 2023.0.20251209 x86_64 ECS HVM EBS (Neuron)',
  });
  fake.images.set(I.previousImageId, {
    name: I.previousImageName,
    description: 'Amazon Linux 2023 AMI 2023.9.20251208.0 x86_64 HVM kernel-6.1',
  });
  const cpArn = `arn:aws:ecs:${I.region}:${I.account}:capacity-provider/${I.capacityProvider}`;
  fake.ecs.capacityProviders.set(I.capacityProvider, {
    name: I.capacityProvider,
    arn: cpArn,
    autoScalingGroupArn: GROUP_ARN,
  });
  // The cluster also holds an older container instance of another provider (a general-purpose
  // group): ListContainerInstances must leave it out when it asks for the loop's instances.
  const general = `arn:aws:ecs:${I.region}:${I.account}:capacity-provider/inference-prod-general`;
  fake.ecs.capacityProviders.set('inference-prod-general', {
    name: 'inference-prod-general',
    arn: general,
    autoScalingGroupArn: `arn:aws:autoscaling:${I.region}:${I.account}:autoScalingGroup:0b7e4d2c-0000-4000-8000-0000000a11ce:autoScalingGroupName/ecs-general-cp-asg`,
  });
  fake.ecs.clusters.set(I.cluster, {
    name: I.cluster,
    arn: `arn:aws:ecs:${I.region}:${I.account}:cluster/${I.cluster}`,
    capacityProviders: [I.capacityProvider, 'inference-prod-general'],
    containerInstances: [
      {
        arn: `arn:aws:ecs:${I.region}:${I.account}:container-instance/${I.cluster}/5d3c2b1a0f9e4d8c7b6a5f4e3d2c1b0a`,
        ec2InstanceId: 'i-0a11ce0000000b0b1',
        status: 'ACTIVE',
        agentConnected: true,
        capacityProviderName: 'inference-prod-general',
      },
    ],
    pendingTasks: 4,
  });
  fake.ecs.clusters.set('default', {
    name: 'default',
    arn: `arn:aws:ecs:${I.region}:${I.account}:cluster/default`,
    capacityProviders: [],
    containerInstances: [],
    pendingTasks: 0,
  });
  return group;
}

/** Advances the fake's state along the loop's script. */
export class LoopWorld {
  private readonly happenings: Happening[];
  private next = 0;
  /** The launches that really happened (Launch was not suspended), in order. */
  readonly made: LoopLaunch[] = [];
  /** Launches the script had but Auto Scaling did not make, because Launch was suspended. */
  readonly prevented: LoopLaunch[] = [];

  constructor(
    private readonly fake: FakeAws,
    private readonly group: FakeGroup,
    readonly variant: Variant,
    start: number,
  ) {
    const all: Happening[] = [];
    for (const launch of loopLaunches(variant, start)) {
      all.push({ at: launch.at, launch, what: 'launch' });
      all.push({ at: launch.inServiceAt, launch, what: 'in-service' });
      if (launch.stopsAt !== undefined) all.push({ at: launch.stopsAt, launch, what: 'stops' });
      if (launch.terminateAt !== undefined)
        all.push({ at: launch.terminateAt, launch, what: 'out-of-service' });
      if (launch.terminatedAt !== undefined)
        all.push({ at: launch.terminatedAt, launch, what: 'terminated' });
    }
    this.happenings = all.sort((a, b) => a.at - b.at);
  }

  /** True when launch n happened. */
  happened(n: number): boolean {
    return this.made.some((l) => l.n === n);
  }

  /** Write into the fake everything that happened up to `t` (epoch ms). */
  advanceTo(t: number): void {
    while (this.next < this.happenings.length && this.happenings[this.next]!.at <= t) {
      const h = this.happenings[this.next]!;
      this.next += 1;
      if (h.what === 'launch') {
        if (this.group.suspended.has('Launch')) {
          // Managed scaling still raises the desired capacity; Auto Scaling launches nothing.
          if (this.variant === 'unregistered') this.group.desired = h.launch.n;
          this.prevented.push(h.launch);
          continue;
        }
        this.made.push(h.launch);
      } else if (!this.happened(h.launch.n)) continue;
      this.apply(h);
    }
  }

  private activities(): FakeActivity[] {
    if (this.group.activities === undefined) this.group.activities = [];
    return this.group.activities;
  }

  private apply(h: Happening): void {
    const { launch } = h;
    const id = launch.instanceId;
    /** The instance reached an EC2 state and its activity (`<prefix>: <id>`) succeeded. */
    const finish = (state: string, prefix: string) => {
      const ec2 = this.fake.instances.get(id);
      if (ec2) ec2.state = state;
      const activity = this.activities().find((a) => a.description === `${prefix}: ${id}`);
      if (activity) {
        activity.statusCode = 'Successful';
        activity.endTime = h.at;
      }
    };
    switch (h.what) {
      case 'launch': {
        // Managed scaling raised the desired capacity by one; a replacement keeps it.
        this.group.desired = this.variant === 'unregistered' ? launch.n : 1;
        this.group.instances.set(id, {
          instanceId: id,
          lifecycleState: 'Pending',
          healthStatus: 'Healthy',
          instanceType: I.instanceType,
          // ECS managed termination protection: new instances are protected from scale-in.
          protectedFromScaleIn: true,
        });
        this.fake.instances.set(id, {
          instanceId: id,
          imageId: I.imageId,
          instanceType: I.instanceType,
          launchTime: h.at,
          state: 'pending',
        });
        this.activities().push({
          activityId: `a1${launch.n.toString(16).padStart(6, '0')}-0000-4000-8000-00000000001a`,
          description: `Launching a new EC2 instance: ${id}`,
          cause: launch.cause,
          startTime: h.at,
          statusCode: 'PreInService',
        });
        break;
      }
      case 'in-service': {
        const instance = this.group.instances.get(id);
        if (instance) instance.lifecycleState = 'InService';
        finish('running', 'Launching a new EC2 instance');
        break;
      }
      case 'stops': {
        const ec2 = this.fake.instances.get(id);
        if (ec2) {
          ec2.state = 'stopped';
          ec2.stateReason = {
            code: 'Client.InstanceInitiatedShutdown',
            message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown',
          };
        }
        break;
      }
      case 'out-of-service': {
        const instance = this.group.instances.get(id);
        if (instance) {
          instance.lifecycleState = 'Terminating';
          instance.healthStatus = 'Unhealthy';
        }
        this.activities().push({
          activityId: `a2${launch.n.toString(16).padStart(6, '0')}-0000-4000-8000-00000000002b`,
          description: `Terminating EC2 instance: ${id}`,
          cause: healthCause(h.at),
          startTime: h.at,
          statusCode: 'InProgress',
        });
        break;
      }
      case 'terminated': {
        this.group.instances.delete(id);
        finish('terminated', 'Terminating EC2 instance');
        break;
      }
    }
  }
}
