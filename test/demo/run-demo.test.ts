import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_PATHS, incidentEvents, incidentJsonl } from '../../demo/generate-incident';
import { INCIDENT, LOOP, VARIANTS, type Variant } from '../../demo/incident';
import { HASH_PATH } from '../../demo/render-slack';
import { type DemoSummary, variantOf } from '../../demo/run-demo';
import { alertPageHtml, pageHash } from '../../demo/slack-render';
import { parseEvent } from '../../lambda/core/parse-event';

/**
 * The function's entry reads its environment (endpoints, table) once, when it is imported, as
 * Lambda does at cold start: each run of the demo, with its own local servers, needs a fresh import.
 */
async function freshRun(write: (t: string) => void, variant: Variant): Promise<DemoSummary> {
  vi.resetModules();
  const { runDemo: fresh } = (await import('../../demo/run-demo.js')) as typeof import('../../demo/run-demo');
  return fresh(write, { variant });
}

/** One run of each variant, shared by the tests below (each run takes about a second). */
const runs = new Map<Variant, { summary: DemoSummary; text: string }>();

beforeAll(async () => {
  const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('llg-demo-')));
  for (const variant of VARIANTS) {
    let text = '';
    const summary = await freshRun((t) => {
      text += t;
    }, variant);
    runs.set(variant, { summary, text });
  }
  // Nothing left behind by either run.
  expect(readdirSync(tmpdir()).filter((n) => n.startsWith('llg-demo-') && !before.has(n))).toEqual([]);
});

function run(variant: Variant): { summary: DemoSummary; text: string } {
  return runs.get(variant)!;
}

describe('npm run demo (the default: instances that never register with ECS)', () => {
  it('alerts at the first Neuron launch, before the loop: the group ran the standard AMI the day before', () => {
    const { text } = run('unregistered');
    const first = text.indexOf('launch  1');
    const second = text.indexOf('launch  2');
    const alert = text.indexOf(
      '┌ Subject: Likely unintended AMI change on ecs-inferentia-cp-asg: al2023-standard -> al2023-ecs-neuron',
    );
    expect(alert).toBeGreaterThan(first);
    expect(alert).toBeLessThan(second);
    expect(text).toContain(
      'The image family changed (al2023-standard -> al2023-ecs-neuron): this is likely unintended.',
    );
    expect(text).toContain('Words the new name adds: ecs, neuron, hvm');
  });

  // Behaviour changed (issue 18): the delayed check of launch 4 decides it failed and trips at
  // once, 5 launches counted, instead of waiting for launch 6 to come in.
  it("trips by the streak rule at launch 4's deadline check, without waiting for another launch, with one suspension and one alert", () => {
    // Assess
    const { summary, text } = run('unregistered');
    expect(summary).toMatchObject({
      launchesMade: 6,
      launchesCounted: 6,
      launchesPrevented: LOOP.unregistered.launches - 6,
      suspendCalls: 1,
      alerts: 1,
      amiChangeAlerts: 1,
      tripAtLaunch: 5,
    });
    expect(text).toMatch(/deadline check {2}launch 4 .*\n {10}TRIP by the streak rule/);
    expect(summary.report).toMatchObject({
      action: 'suspended',
      launches: 5,
      threshold: 10,
      evidence: {
        rule: 'streak',
        streak: 4,
        streakNeeded: 4,
        failed: 4,
        undecided: 1,
        failedBy: { 'not-registered': 4 },
        cluster: INCIDENT.cluster,
      },
    });
  });

  it('says what the loop costs, from the Price List document the local cloud serves', () => {
    const { text } = run('unregistered');
    // inf2.xlarge in eu-west-1 at $0.94775/h (demo/prices). At the trip, 02:39:22, the five
    // launches (02:14:07, 02:19:08, 02:24:09, 02:29:07, 02:34:08) ran 1515 + 1214 + 913 + 615 + 314
    // = 4571 s: $1.20; per day 1.2034 / (1515 s) × 24 h = $68.63; MaxSize 20 × 0.94775 × 24 = $454.92.
    expect(text).toContain(
      'Estimated cost: about $1.20 spent so far by 5 launches (inf2.xlarge; on-demand); $68.63/day if it keeps launching at this rate; $454.92/day if it reaches MaxSize 20 and keeps them.',
    );
    expect(text).toContain('Compute only: EBS, data transfer, IPv4 addresses, licences outside EC2 prices');
  });

  it("says why in the alert's WHY section, and prints the alert once", () => {
    // Assess
    const { text } = run('unregistered');
    expect(text).toContain('WHY: WHAT BECAME OF THE LAUNCHES');
    expect(text).toContain(
      '4 of the last 4 decided launches never registered with ECS cluster inference-prod (InService, not a container instance 10m after launch)',
    );
    expect(text).toContain(
      'TRIP by the streak rule: 4 of the last 4 decided launches never registered with ECS cluster inference-prod',
    );
    expect(text.match(/┌ Subject: Launch loop: suspended ecs-inferentia-cp-asg/g)).toHaveLength(1);
    expect(text.match(/WHAT WAS DONE/g)).toHaveLength(1);
    expect(text).toContain('docs/slack-alert.png is this one');
    // The likely cause never claims the inf2 group launched other instance types.
    expect(text).not.toMatch(/; on other instance types/);
  });

  it('prints each launch at its delivery time with the fates the group shows, and the calls made', () => {
    // Assess
    const { text } = run('unregistered');
    expect(text).toMatch(
      /\n02:17:20 {2}launch {2}1 {2}i-05a3c9e1702d4f0e1 {2}made 02:14:07 \(\+3m13s\) {2}group 1\/10 {2}AMI 1\/50\n {10}fates now: undecided 1\n/,
    );
    expect(text).toContain('fates now: failed 1-5 (not-registered) · undecided 6');
    expect(text).toMatch(/ecs:DescribeCapacityProviders · ecs:ListClusters/);
    // Launches decided earlier (by their deadline checks) keep their fate: only the in-service
    // ones still undecided are asked about.
    expect(text).toContain('ecs:ListContainerInstances inference-prod (ec2InstanceId in [1 ids])');
    expect(text).toContain('→ autoscaling:SuspendProcesses ecs-inferentia-cp-asg ["Launch"]');
  });

  it('does not trip again for the launch delivered after the suspension, and resume undoes it', () => {
    // Assess
    const { summary, text } = run('unregistered');
    expect(summary.lateLaunches).toEqual([{ n: 6 }]);
    expect(text).toMatch(
      /launch {2}6 .*group 6\/10 .*\(delivered after the suspension\)\n.*\n\s+no new trip: Launch is suspended already/,
    );
    expect(summary).toMatchObject({ resumeExit: 0, groupSuspendedAfterResume: [], guardTagsAfterResume: [] });
    expect(text).toContain('→ autoscaling:ResumeProcesses ecs-inferentia-cp-asg ["Launch"]');
    expect(text).toMatch(
      /Groups suspended by launch-loop-guard \(eu-west-1\): 0\n.*table launch-loop-guard-demo\): 0/,
    );
  });

  it('is the picture docs/slack-alert.png shows (else: npm run render-slack)', () => {
    // Prepare
    const { summary } = run('unregistered');
    const kept = readFileSync(HASH_PATH, 'utf8').trim();
    // Act
    const now = pageHash(alertPageHtml(summary.report!, summary.tripAt!));
    // Assess
    expect(now, 'docs/slack-alert.png is stale: run `npm run render-slack`').toBe(kept);
  });

  it('plays the same every run: the page of the picture does not depend on the day', async () => {
    // Act
    const again = await freshRun(() => {}, 'unregistered');
    // Assess
    expect(alertPageHtml(again.report!, again.tripAt!)).toBe(
      alertPageHtml(run('unregistered').summary.report!, run('unregistered').summary.tripAt!),
    );
  });
});

describe('npm run demo: what is deployed is played', () => {
  it.each(VARIANTS)(
    'delivers the deadline queue as Lambda would (%s): every group launch sends, batches come after the delay',
    (variant) => {
      // Assess
      const { text } = run(variant);
      const sends = text.match(/sqs:SendMessage/g) ?? [];
      expect(sends.length).toBeGreaterThanOrEqual(run(variant).summary.launchesCounted);
      const checks = [
        ...text.matchAll(
          /\n(\d\d:\d\d:\d\d) {2}deadline check {2}launch(?:es)? ([\d, ]+) {2}\(SQS batch of (\d+), sent ([\d:, ]+)\)/g,
        ),
      ];
      expect(checks.length).toBeGreaterThan(0);
      for (const [, at, , size, sent] of checks) {
        const sentTimes = sent!.split(', ');
        expect(sentTimes).toHaveLength(Number(size));
        expect(Number(size)).toBeLessThanOrEqual(10);
        // Delivered no earlier than the deadline: 10 minutes after the launch, minus CloudTrail's delay.
        for (const t of sentTimes) expect(seconds(at!) - seconds(t)).toBeGreaterThanOrEqual(60);
      }
    },
  );

  it("shows the instance role the story is about: the local IAM answers the role check's reads", () => {
    // Assess
    const { text } = run('unregistered');
    expect(text).toMatch(/→ .*ec2:DescribeLaunchTemplateVersions/);
    expect(text).toMatch(/→ .*iam:GetInstanceProfile/);
    expect(text).toMatch(/→ .*iam:SimulatePrincipalPolicy/);
    expect(text).toContain(`role \`${INCIDENT.instanceRole}\` may not call ecs:RegisterContainerInstance`);
    expect(text).not.toContain('Instance role: unknown');
    // The family named is the one the looping launches use, not the AMI the group used the day before.
    expect(text).toContain(
      `instances use the ECS-optimized Neuron AMI and role \`${INCIDENT.instanceRole}\` may not call ecs:RegisterContainerInstance`,
    );
    expect(run('replace').text).toContain(`Instance role: \`${INCIDENT.instanceRole}\``);
    expect(run('replace').text).toContain("may call the ECS agent's actions");
  });
});

describe("the demo's alert reads right for its rule", () => {
  it('leads a streak trip with the streak, lists the tags written, and agrees with the reason tag', () => {
    // Prepare
    const { text } = run('unregistered');
    const alert = text.slice(
      text.indexOf('┌ Subject: Launch loop: suspended'),
      text.indexOf('attributes:', text.indexOf('┌ Subject: Launch loop: suspended')),
    );
    const written = /→ autoscaling:CreateOrUpdateTags (.+)\n/.exec(text)?.[1]?.split(', ') ?? [];
    const reasonTag = /reason: launch loop: the last (\d+) decided launches failed/.exec(text);
    // Assess: the streak is the headline evidence, not a count against the count rule's threshold
    expect(alert).toContain(
      'Subject: Launch loop: suspended ecs-inferentia-cp-asg (4 failed in a row) eu-west-1',
    );
    expect(alert).toContain(
      'Launches:      the last 4 decided launches all failed (the streak rule trips at 4 in a row)',
    );
    expect(alert).not.toMatch(/\(threshold 10\)/);
    // The tags written, as written
    expect(written).toEqual([
      'launch-loop-guard:suspended-at',
      'launch-loop-guard:reason',
      'launch-loop-guard:suspended-processes',
    ]);
    expect(alert).toContain(`Tagged the group ${written.slice(0, -1).join(', ')} and ${written.at(-1)}.`);
    // The tag `status` shows says the same number as the alert
    expect(reasonTag?.[1]).toBe('4');
    // The likely cause names the image the failed launches run, even when the delayed check trips
    // (no launch event names an AMI there): the Neuron one, not the group's standard AMI of before.
    expect(alert).toContain('instances use the ECS-optimized Neuron AMI');
    expect(alert).not.toContain('instances use the standard Amazon Linux 2023 AMI');
    expect(alert).toContain('4 of the last 4 decided launches never registered');
  });
});

function seconds(clock: string): number {
  const [h, m, s] = clock.split(':').map(Number);
  return h! * 3600 + m! * 60 + s!;
}

describe('npm run demo -- --variant replace (instances replaced for failing health checks)', () => {
  it('trips by the streak rule at launch 4 on health replacements, then only counts the late launch', () => {
    // Assess
    const { summary, text } = run('replace');
    expect(summary).toMatchObject({
      launchesMade: 5,
      launchesCounted: 5,
      suspendCalls: 1,
      alerts: 1,
      tripAtLaunch: 4,
      lateLaunches: [{ n: 5 }],
      resumeExit: 0,
      groupSuspendedAfterResume: [],
      guardTagsAfterResume: [],
    });
    expect(summary.report?.evidence).toMatchObject({
      rule: 'streak',
      streak: 4,
      failedBy: { 'health-replaced': 4 },
    });
    expect(text).toContain(
      '4 of the last 4 decided launches replaced after failing a health check; 0 useful, 0 neutral, 0 not yet decided; Auto Scaling said: "At 2025-12-10T02:29:42Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped."',
    );
    // The judge read why the instances left, and EC2's state reason (a crash, not Spot).
    expect(text).toMatch(/→ autoscaling:DescribeScalingActivities\n\s+→ ec2:DescribeInstances/);
    // The AMI-change alert at launch 1, and the trip alert, each printed once.
    expect(text.match(/┌ Subject:/g)).toHaveLength(2);
    expect(text.match(/┌ Subject: Launch loop: suspended/g)).toHaveLength(1);
  });
});

describe('demo command line', () => {
  it.each([
    [[], 'unregistered'],
    [['--variant', 'replace'], 'replace'],
  ])('reads %j as the variant %s', (argv, variant) => {
    expect(variantOf(argv)).toBe(variant);
  });

  it('names the variants it expects when given another', () => {
    expect(variantOf(['--variant', 'nope'])).toEqual(
      new Error('--variant expects one of unregistered, replace; got nope'),
    );
  });
});

describe.each(VARIANTS)('demo events (%s)', (variant) => {
  it('keeps its example file as the generator makes it', () => {
    // The kept example is what `npx tsx demo/generate-incident.ts` writes.
    expect(existsSync(EXAMPLE_PATHS[variant])).toBe(true);
    expect(readFileSync(EXAMPLE_PATHS[variant], 'utf8')).toBe(incidentJsonl(variant));
  });

  it('holds launches of the group that the parser reads, delivered 2 to 6 minutes late, in delivery order', () => {
    // Act
    const parsed = readFileSync(EXAMPLE_PATHS[variant], 'utf8')
      .trim()
      .split('\n')
      .map((line) => parseEvent(JSON.parse(line)));
    const events = incidentEvents(variant);

    // Assess
    const launches = parsed.filter((p) => p.kind === 'launch');
    expect(launches).toHaveLength(LOOP[variant].launches);
    expect(parsed.filter((p) => p.kind === 'terminate')).toHaveLength(
      variant === 'replace' ? LOOP.replace.launches : 0,
    );
    for (const l of launches) {
      expect(l.kind === 'launch' && l.instances.map((i) => [i.groupName, i.imageId])).toEqual([
        [INCIDENT.groupName, INCIDENT.imageId],
      ]);
    }
    for (const e of events.filter((x) => x.kind === 'launch')) {
      expect(e.deliveredAt - e.at).toBeGreaterThanOrEqual(120_000);
      expect(e.deliveredAt - e.at).toBeLessThanOrEqual(360_000);
    }
    // Handled in delivery order (the simulated clock never goes back), and never in the future.
    const delivered = events.map((e) => e.deliveredAt);
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
    expect(Math.max(...delivered)).toBeLessThan(Date.now());
  });
});
