/** Realistic trip reports for the alert-format tests: the incident that motivated the guard. */
import { TRIP_ACTION, type TripReport } from '../../../lambda/core/report';

export const GROUP = 'ecs-capacity-provider-asg';
export const AMI = 'ami-0abc1234def567890';
export const AMI_NAME = 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64';
export const ASG_CALLER = 'arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling';

/** The evidence line every alert of {@link suspendedReport} carries. */
export const NOT_REGISTERED_EVIDENCE =
  '4 of the last 4 decided launches never registered with ECS cluster prod (InService, not a container instance 10m after launch)';
/** What the alerts say never counts as a failed launch. */
export const NEVER_COUNTS = "scale-ins, refreshes, Spot interruptions and a person's actions never count";

/** The deployed resumer function the alerts name. */
export const RESUMER = { functionName: 'LaunchLoopGuard-GuardResumer0A1B2C3D-xYz123', region: 'eu-west-1' };

/** What every example trip shares: a live (not dry) run over 1h, one AMI, Launch, the resumer. */
const INCIDENT = {
  dryRun: false,
  launchesAtLeast: false,
  windowMs: 3_600_000,
  imageIds: [AMI],
  processes: ['Launch'],
  imageNames: { [AMI]: AMI_NAME },
  resumer: RESUMER,
} as const;

/** Launch suspended on the ECS capacity-provider group: 12 launches in 1h, 11 churned. */
export function suspendedReport(overrides: Partial<TripReport> = {}): TripReport {
  return {
    ...INCIDENT,
    scope: { scope: 'asg', account: '123456789012', region: 'eu-west-1', key: GROUP },
    action: TRIP_ACTION.suspended,
    launches: 12,
    threshold: 10,
    firstLaunch: Date.parse('2025-12-10T08:02:11Z'),
    lastLaunch: Date.parse('2025-12-10T08:57:40Z'),
    callers: [ASG_CALLER],
    eventId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    evidence: {
      rule: 'streak',
      judged: 12,
      useful: 0,
      failed: 4,
      neutral: 0,
      undecided: 0,
      failedBy: { 'not-registered': 4 },
      neutralBy: {},
      streak: 4,
      streakNeeded: 4,
      deadlineMs: 600_000,
      cluster: 'prod',
      causes: [],
    },
    tagged: true,
    ...overrides,
  };
}

/** An AMI-scope trip that alerts only. */
export function amiReport(overrides: Partial<TripReport> = {}): TripReport {
  return {
    ...INCIDENT,
    scope: { scope: 'ami', account: '123456789012', region: 'eu-west-1', key: AMI },
    action: TRIP_ACTION.alertOnly,
    eventId: '0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b',
    callers: [ASG_CALLER, 'arn:aws:sts::123456789012:assumed-role/ci-deployer/session-42'],
    ungroupedCallers: ['arn:aws:sts::123456789012:assumed-role/ci-deployer/session-42'],
    launches: 52,
    threshold: 50,
    firstLaunch: Date.parse('2025-12-10T08:00:05Z'),
    lastLaunch: Date.parse('2025-12-10T08:59:01Z'),
    groups: [
      { groupName: GROUP, outcome: 'already-suspended' },
      { groupName: 'batch-gpu-workers', outcome: 'exempt' },
    ],
    ...overrides,
  };
}
