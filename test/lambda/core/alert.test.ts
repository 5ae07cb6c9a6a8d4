import { describe, expect, it } from 'vitest';
import {
  buildAlert,
  reasonTag,
  SUBJECT_MAX,
  shellWord,
  snsAttributes,
  subjectLine,
} from '../../../lambda/core/alert';
import { TRIP_ACTION, TRIP_RULE, type TripAction, type TripReport } from '../../../lambda/core/report';
import {
  AMI,
  AMI_NAME,
  ASG_CALLER,
  amiReport,
  GROUP,
  NEVER_COUNTS,
  NOT_REGISTERED_EVIDENCE,
  RESUMER,
  suspendedReport,
} from './example-reports';

const UNDO_CLI = `aws autoscaling resume-processes --auto-scaling-group-name ${GROUP} --scaling-processes Launch --region eu-west-1`;
const UNTAG_CLI = `aws autoscaling delete-tags --tags ResourceId=${GROUP},ResourceType=auto-scaling-group,Key=launch-loop-guard:suspended-at ResourceId=${GROUP},ResourceType=auto-scaling-group,Key=launch-loop-guard:reason ResourceId=${GROUP},ResourceType=auto-scaling-group,Key=launch-loop-guard:suspended-processes --region eu-west-1`;
const resumerCall = (group: string) =>
  `aws lambda invoke --function-name ${RESUMER.functionName} --region eu-west-1 --cli-binary-format raw-in-base64-out --payload '{"action":"resume","account":"123456789012","region":"eu-west-1","groupName":"${group}"}' /dev/stdout`;
const UNDO_GUARD = resumerCall(GROUP);

/** The example report tripped by the count rule instead of the streak rule. */
function countReport(overrides: Partial<TripReport> = {}): TripReport {
  const base = suspendedReport();
  return suspendedReport({
    evidence: {
      ...base.evidence!,
      rule: TRIP_RULE.count,
      requiredShare: 0.5,
      streak: undefined,
      streakNeeded: undefined,
    },
    ...overrides,
  });
}

const ALL_ACTIONS: TripAction[] = Object.values(TRIP_ACTION);
const LONG_NAME = `eks-${'very-long-node-group-name-'.repeat(9)}end`;

describe('buildAlert', () => {
  describe('subject', () => {
    it('names the action, the group, the count and the region', () => {
      // Act
      const { subject } = buildAlert(suspendedReport());
      // Assess
      expect(subject).toBe(`Launch loop: suspended ${GROUP} (4 failed in a row) eu-west-1`);
    });

    it.each(
      ALL_ACTIONS.flatMap((action) => [
        [action, GROUP],
        [action, LONG_NAME],
        [action, 'grüne-gruppe\nmit zeilenumbruch'],
      ]),
    )('stays a valid SNS subject for action %s and group %j', (action, name) => {
      // Prepare
      const report = suspendedReport({
        action,
        scope: { scope: 'asg', account: '123456789012', region: 'ap-southeast-4', key: name },
        launches: 1000,
        launchesAtLeast: true,
      });
      // Act
      const { subject } = buildAlert(report);
      // Assess
      expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
      expect(subject).toMatch(/^[\x20-\x7e]+$/);
      expect(subject).toContain('ap-southeast-4');
    });

    it('cuts a long group name and says so with an ellipsis', () => {
      // Prepare
      const report = suspendedReport({
        scope: { scope: 'asg', account: '123456789012', region: 'eu-west-1', key: LONG_NAME },
      });
      // Act
      const { subject } = buildAlert(report);
      // Assess
      expect(subject.length).toBe(SUBJECT_MAX);
      expect(subject).toMatch(
        /^Launch loop: suspended eks-very-long-node-group-name-.*\.\.\. \(4 failed in a row\) eu-west-1$/,
      );
    });

    it('says ">=" when the store kept only part of the window', () => {
      // Act
      const { subject } = buildAlert(countReport({ launches: 1000, launchesAtLeast: true }));
      // Assess
      expect(subject).toContain('(>=1000 in 1h)');
    });

    it('names the AMI for an AMI trip', () => {
      // Act
      const { subject } = buildAlert(amiReport());
      // Assess
      expect(subject).toBe(`Launch loop on AMI ${AMI} (52 in 1h) eu-west-1`);
    });
  });

  describe('body', () => {
    it('tells a person what tripped, where, what became of the launches and the rule', () => {
      // Act
      const { body } = buildAlert(suspendedReport());
      // Assess
      expect(body.split('\n')[0]).toBe(`Launch suspended on Auto Scaling group ${GROUP}: launch loop`);
      expect(body).toContain('Account:       123456789012');
      expect(body).toContain('Region:        eu-west-1');
      // A streak trip: the streak is the headline evidence, not a count below its threshold.
      expect(body).toContain(
        'Launches:      the last 4 decided launches all failed (the streak rule trips at 4 in a row); 12 distinct instances launched in 1h',
      );
      expect(body).not.toContain('(threshold 10)');
      expect(body).toContain('First launch:  2025-12-10T08:02:11.000Z');
      expect(body).toContain('Last launch:   2025-12-10T08:57:40.000Z');
      expect(body).toContain(`Callers:       ${ASG_CALLER}`);
      expect(body).toContain(`AMIs:          ${AMI} (${AMI_NAME})`);
      expect(body).toContain(NOT_REGISTERED_EVIDENCE);
      expect(body).toContain(NEVER_COUNTS);
      expect(body).toContain('Suspended Launch on the group.');
      expect(body).toContain(
        "Streak rule: the group's last 4 decided launches all failed, whatever their rate.",
      );
      expect(body).toContain(
        'Tagged the group launch-loop-guard:suspended-at, launch-loop-guard:reason and launch-loop-guard:suspended-processes.',
      );
      expect(body).toContain('instances that fail their health checks are not replaced');
      expect(body).toContain('replaces every instance it found unhealthy meanwhile, all at once');
    });

    it('ends with the AWS CLI commands first, then the deployed resumer function', () => {
      // Act
      const { body } = buildAlert(suspendedReport());
      // Assess
      const lines = body.split('\n');
      expect(lines.slice(-6)).toEqual([
        'HOW TO UNDO IT',
        '  Fix the cause first (AMI, instance role, ECS registration), then resume with the AWS CLI:',
        `    ${UNDO_CLI}`,
        `    ${UNTAG_CLI}`,
        "  or through the guard's resumer function, which also clears the group's launch window and resets its auto-resume backoff:",
        `    ${UNDO_GUARD}`,
      ]);
    });

    it('never tells anyone to run the unpublished npm package', () => {
      // Act
      const bodies = ALL_ACTIONS.map((action) => buildAlert(suspendedReport({ action })).body);
      // Assess
      for (const body of bodies) expect(body).not.toMatch(/npx|npm /);
    });

    it('gives only the AWS CLI commands when the report names no resumer function', () => {
      // Act
      const { body } = buildAlert(suspendedReport({ resumer: undefined }));
      // Assess
      expect(body.trimEnd().split('\n').slice(-3)).toEqual([
        '  Fix the cause first (AMI, instance role, ECS registration), then resume with the AWS CLI:',
        `    ${UNDO_CLI}`,
        `    ${UNTAG_CLI}`,
      ]);
    });

    it('lists every process actually suspended in the resume command', () => {
      // Act
      const { body } = buildAlert(suspendedReport({ processes: ['Launch', 'AZRebalance'] }));
      // Assess
      expect(body).toContain(
        `    aws autoscaling resume-processes --auto-scaling-group-name ${GROUP} --scaling-processes Launch AZRebalance --region eu-west-1\n`,
      );
      expect(body).toContain('Suspended Launch, AZRebalance on the group.');
    });

    it('quotes a group name the shell would split', () => {
      // Act
      const { body } = buildAlert(
        suspendedReport({
          scope: { scope: 'asg', account: '123456789012', region: 'eu-west-1', key: "team's asg" },
        }),
      );
      // Assess
      expect(body).toContain(
        `aws autoscaling resume-processes --auto-scaling-group-name 'team'\\''s asg' --scaling-processes Launch --region eu-west-1`,
      );
      expect(body).toContain(
        `aws autoscaling delete-tags --tags '[{"ResourceId":"team'\\''s asg","ResourceType":"auto-scaling-group","Key":"launch-loop-guard:suspended-at"},`,
      );
      expect(body).toContain(
        `--payload '{"action":"resume","account":"123456789012","region":"eu-west-1","groupName":"team'\\''s asg"}' /dev/stdout`,
      );
    });

    it('says "would have suspended" in a dry run, and that nothing changed', () => {
      // Act
      const { body, subject } = buildAlert(
        suspendedReport({ action: TRIP_ACTION.wouldSuspend, dryRun: true, tagged: undefined }),
      );
      // Assess
      expect(subject).toBe(`Launch loop (dry run): would suspend ${GROUP} (4 failed in a row) eu-west-1`);
      expect(body).toContain('Dry run: the guard would have suspended Launch; nothing was changed.');
      expect(body).toContain('Nothing to undo: the guard changed nothing.');
      expect(body).not.toContain('aws lambda invoke');
      expect(body.trimEnd().split('\n').at(-1)).toBe(
        `    aws autoscaling suspend-processes --auto-scaling-group-name ${GROUP} --scaling-processes Launch --region eu-west-1`,
      );
    });

    it('says the group was not touched when Launch was already suspended', () => {
      // Act
      const { body } = buildAlert(
        suspendedReport({ action: TRIP_ACTION.alreadySuspended, tagged: undefined, evidence: undefined }),
      );
      // Assess
      expect(body).toContain(
        'Launch was already suspended (by a person or by AWS): the guard did not touch or tag the group.',
      );
      expect(body).not.toContain('WHY: WHAT BECAME OF THE LAUNCHES');
      expect(body.trimEnd().split('\n').at(-1)).toBe(`    ${UNDO_CLI}`);
    });

    it('says the tags could not be written, and that the suspension stands', () => {
      // Act
      const { body } = buildAlert(
        suspendedReport({ tagged: false, tagError: 'the group already has 50 tags' }),
      );
      // Assess
      expect(body).toContain(
        "The guard's tags could not be written (the group already has 50 tags); the suspension stands.",
      );
      expect(body).toContain(UNDO_CLI);
      expect(body).not.toContain('delete-tags');
    });

    it.each([
      [TRIP_ACTION.exempt, 'The group is tagged launch-loop-guard:exempt=true: the guard never acts on it.'],
      [TRIP_ACTION.groupGone, 'The group no longer exists: nothing to suspend.'],
      [TRIP_ACTION.stale, 'it was counted, but a late event never suspends anything.'],
    ])('explains the %s action and offers no undo', (action, text) => {
      // Act
      const { body } = buildAlert(suspendedReport({ action, tagged: undefined }));
      // Assess
      expect(body).toContain(text);
      expect(body).toContain('Nothing to undo: the guard changed nothing.');
      expect(body).not.toContain('aws lambda invoke');
    });

    it('says "at least" when the store kept only part of the window', () => {
      // Act
      const { body } = buildAlert(countReport({ launches: 1000, launchesAtLeast: true }));
      // Assess
      expect(body).toContain('at least 1000 distinct instances launched in 1h (threshold 10)');
      expect(body).toContain('the true count is higher');
    });

    it('gives a count trip its count against the threshold, in the subject and the body', () => {
      // Act
      const { subject, body } = buildAlert(countReport());
      // Assess
      expect(subject).toBe(`Launch loop: suspended ${GROUP} (12 in 1h) eu-west-1`);
      expect(body).toContain('Launches:      12 distinct instances launched in 1h (threshold 10)');
    });

    it('lists every tag it wrote, as written', () => {
      const { body } = buildAlert(suspendedReport({ tagged: true }));
      expect(body).toContain(
        '- Tagged the group launch-loop-guard:suspended-at, launch-loop-guard:reason and launch-loop-guard:suspended-processes.',
      );
    });

    it('gives the reason tag the same numbers as the alert', () => {
      // Prepare
      const streak = suspendedReport({
        evidence: { ...suspendedReport().evidence!, streak: 5, streakNeeded: 4 },
      });
      const count = countReport();
      // Act
      const streakTag = reasonTag(streak.evidence, streak.launches, streak.windowMs, streak.threshold);
      const countTag = reasonTag(count.evidence, count.launches, count.windowMs, count.threshold);
      // Assess
      expect(streakTag).toBe('launch loop: the last 5 decided launches failed');
      expect(buildAlert(streak).body).toContain(
        'the last 5 decided launches all failed (the streak rule trips at 4 in a row)',
      );
      expect(buildAlert(streak).body).toContain('5 of the last 5 decided launches never registered');
      expect(buildAlert(streak).subject).toContain('(5 failed in a row)');
      expect(countTag).toBe('launch loop: 12 launches in 1h (threshold 10)');
    });

    it('shows the streak evidence: which launches failed and why', () => {
      // Act
      const { body } = buildAlert(suspendedReport());
      // Assess
      expect(body).toContain(NOT_REGISTERED_EVIDENCE);
      expect(body).toContain("Streak rule: the group's last 4 decided launches all failed");
    });

    it('shows the count evidence with failed, neutral and undecided launches, the causes and a failed ECS lookup', () => {
      // Act
      const { body } = buildAlert(
        suspendedReport({
          evidence: {
            rule: 'count',
            judged: 12,
            useful: 2,
            failed: 6,
            neutral: 3,
            undecided: 1,
            failedBy: { 'health-replaced': 5, 'still-pending': 1 },
            neutralBy: { 'scaled-in': 3 },
            requiredShare: 0.5,
            deadlineMs: 900_000,
            ecsLookupFailed: true,
            causes: [
              'At 2025-12-10T08:05:00Z an instance was taken out of service in response to an ELB system health check failure.',
            ],
          },
        }),
      );
      // Assess
      expect(body).toContain(
        '6 of the 8 decided launches in the window failed (5 replaced after failing a health check, 1 still pending 15m after launch); required: 50%',
      );
      expect(body).toContain('2 useful, 3 neutral (3 scaled-in), 1 not yet decided');
      expect(body).toContain('the ECS lookup failed, so registration was not counted');
      expect(body).toContain('in response to an ELB system health check failure');
      expect(body).toContain(
        'Count rule: 10 launches in 1h, and at least 50% of the decided ones (at least 3) failed.',
      );
    });

    it('lists the diagnosis as likely causes', () => {
      // Act
      const { body } = buildAlert(
        suspendedReport({
          diagnosis: ['The AMI is an ECS-optimized Neuron (AWS Inferentia/Trainium) image.'],
        }),
      );
      // Assess
      expect(body).toContain(
        'LIKELY CAUSE\n  - The AMI is an ECS-optimized Neuron (AWS Inferentia/Trainium) image.',
      );
    });

    it('cuts long caller lists', () => {
      // Prepare
      const callers = Array.from({ length: 14 }, (_, i) => `arn:aws:sts::123456789012:assumed-role/r/${i}`);
      // Act
      const { body } = buildAlert(suspendedReport({ callers }));
      // Assess
      expect(body).toContain('arn:aws:sts::123456789012:assumed-role/r/9 and 4 more');
      expect(body).not.toContain('assumed-role/r/10');
    });

    it.each([
      [
        { kind: 'scheduled', at: Date.parse('2025-12-10T09:15:00Z'), trip: 1, cooldownMs: 900_000 } as const,
        'Auto-resume: trip 1; the guard resumes the group at 2025-12-10T09:15:00.000Z (cool-down 15m).',
      ],
      [
        { kind: 'manual', trip: 4, maxTrips: 4 } as const,
        'Auto-resume: trip 4 of at most 4; the group stays suspended until a person resumes it.',
      ],
    ])('states the auto-resume plan %j', (autoResume, text) => {
      // Act
      const { body } = buildAlert(suspendedReport({ autoResume }));
      // Assess
      expect(body).toContain(text);
    });

    it('reports an AMI alert with its groups, left-alone reasons and ungrouped callers', () => {
      // Act
      const { body } = buildAlert(amiReport());
      // Assess
      expect(body.split('\n')[0]).toBe(`Launch loop on AMI ${AMI}: alert only, nothing was suspended`);
      expect(body).toContain('AMI trips alert only (the default): no group was suspended.');
      expect(body).toContain(`Group ${GROUP}: left alone, Launch was already suspended.`);
      expect(body).toContain('Group batch-gpu-workers: left alone, tagged exempt.');
      expect(body).toContain(
        'Launches outside any Auto Scaling group, by: arn:aws:sts::123456789012:assumed-role/ci-deployer/session-42.',
      );
      expect(body).toContain('Nothing to undo');
    });

    it('gives the undo commands of every group an AMI trip suspended', () => {
      // Prepare
      const report: TripReport = amiReport({
        action: TRIP_ACTION.suspended,
        groups: [
          { groupName: GROUP, outcome: 'suspended' },
          { groupName: 'web-asg', outcome: 'suspended' },
          { groupName: 'batch', outcome: 'over-cap' },
        ],
      });
      // Act
      const { body } = buildAlert(report);
      // Assess
      expect(body).toContain(UNDO_GUARD);
      expect(body).toContain(resumerCall('web-asg'));
      expect(body).toContain('--auto-scaling-group-name web-asg --scaling-processes Launch');
      expect(body).not.toContain('resume batch');
      expect(body).toContain('Group batch: left alone, over the cap of groups one AMI trip may suspend.');
    });
  });

  it('carries the filter attributes', () => {
    // Act
    const { attributes } = buildAlert(suspendedReport());
    // Assess
    expect(attributes).toEqual({
      scope: 'asg',
      key: GROUP,
      account: '123456789012',
      region: 'eu-west-1',
      action: 'suspended',
    });
  });
});

describe('snsAttributes', () => {
  it('gives the SNS MessageAttributes shape and leaves out empty values', () => {
    // Act
    const a = snsAttributes({ scope: 'asg', key: GROUP, empty: '' });
    // Assess
    expect(a).toEqual({
      scope: { DataType: 'String', StringValue: 'asg' },
      key: { DataType: 'String', StringValue: GROUP },
    });
  });
});

describe('subjectLine', () => {
  it.each([
    ['CloudTrail logging stopped', 'CloudTrail logging stopped'],
    ['two\nlines\tand  tabs', 'two lines and tabs'],
    ['naïve', 'na?ve'],
    ['x'.repeat(150), `${'x'.repeat(96)}...`],
  ])('%j → %j', (input, expected) => {
    expect(subjectLine(input)).toBe(expected);
  });
});

describe('shellWord', () => {
  it.each([
    ['ecs-capacity-provider-asg', 'ecs-capacity-provider-asg'],
    ['eu-west-1', 'eu-west-1'],
    ['my group', "'my group'"],
    ["it's", "'it'\\''s'"],
    ['$(rm -rf /)', "'$(rm -rf /)'"],
  ])('%j → %s', (word, quoted) => expect(shellWord(word)).toBe(quoted));
});
