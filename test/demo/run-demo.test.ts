import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_PATH, incidentJsonl } from '../../demo/generate-incident';
import { runDemo } from '../../demo/run-demo';
import { parseEvent } from '../../lambda/core/parse-event';

describe('npm run demo', () => {
  it('plays the incident: ten launches trip once, one suspension, one alert, late launches do not trip, resume undoes it', async () => {
    // Prepare
    let text = '';
    const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('llg-demo-')));

    // Act
    const summary = await runDemo((t) => {
      text += t;
    });

    // Assess: what the demo saw
    expect(summary).toMatchObject({
      launchesCounted: 12,
      suspendCalls: 1,
      alerts: 1,
      tripAtLaunch: 10,
      resumeExit: 0,
      groupSuspendedAfterResume: [],
      guardTagsAfterResume: [],
    });
    expect(summary.report).toMatchObject({ action: 'suspended', launches: 10, threshold: 10 });
    // Assess: the timeline's key lines
    expect(text).toMatch(/launch {2}1 {2}i-\w+ {2}group 1\/10 {2}AMI 1\/50/);
    expect(text).toMatch(/launch {2}9 {2}i-\w+ {2}group 9\/10/);
    expect(text).toContain("TRIP: 10 launches ≥ threshold 10; the guard's action: suspended");
    expect(text).toContain('→ autoscaling:SuspendProcesses ecs-inferentia-cp-asg ["Launch"]');
    expect(text).toContain('┌ Subject: Launch loop: suspended ecs-inferentia-cp-asg');
    expect(text).toContain(
      'aws autoscaling resume-processes --auto-scaling-group-name ecs-inferentia-cp-asg',
    );
    expect(text).toContain('The same alert as a Slack message');
    expect(text).toContain('al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64');
    expect(text).toMatch(/launch 11 .*group 11\/10 .*\(delivered after the suspension\)\n\s+no new trip/);
    expect(text).toContain('$ launch-loop-guard resume ecs-inferentia-cp-asg');
    expect(text).toContain('warning: Resuming Launch makes Auto Scaling replace, all at once');
    expect(text).toContain('→ autoscaling:ResumeProcesses ecs-inferentia-cp-asg ["Launch"]');
    expect(text).toMatch(
      /Groups suspended by launch-loop-guard \(eu-west-1\): 0\n.*table launch-loop-guard-demo\): 0/,
    );
    // Assess: nothing left behind
    const after = readdirSync(tmpdir()).filter((n) => n.startsWith('llg-demo-') && !before.has(n));
    expect(after).toEqual([]);
  });

  it('keeps demo/examples/incident-events.jsonl as the generator makes it', () => {
    // The kept example is what `npx tsx demo/generate-incident.ts` writes.
    expect(existsSync(EXAMPLE_PATH)).toBe(true);
    expect(readFileSync(EXAMPLE_PATH, 'utf8')).toBe(incidentJsonl());
  });

  it('generates events the parser reads as launches of the group and Auto Scaling terminations', () => {
    // Act
    const parsed = readFileSync(EXAMPLE_PATH, 'utf8')
      .trim()
      .split('\n')
      .map((line) => parseEvent(JSON.parse(line)));

    // Assess
    const launches = parsed.filter((p) => p.kind === 'launch');
    const terminations = parsed.filter((p) => p.kind === 'terminate');
    expect(launches).toHaveLength(12);
    expect(terminations).toHaveLength(9);
    for (const l of launches) {
      expect(l.kind === 'launch' && l.instances.map((i) => [i.groupName, i.imageId])).toEqual([
        ['ecs-inferentia-cp-asg', 'ami-0c4f2a8e9d17b3a56'],
      ]);
    }
    expect(new Set(launches.map((l) => l.kind === 'launch' && l.instances[0]!.instanceId)).size).toBe(12);
  });
});
