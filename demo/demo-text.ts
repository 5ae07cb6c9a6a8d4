/** What the demo prints: its introduction, the calls the guard made, fates, trips and alerts. */
import type { FakeAws } from '../fake-cloud/static-state';
import { evidenceLine } from '../lambda/core/alert';
import type { JudgedLaunch } from '../lambda/core/fate';
import type { TripReport } from '../lambda/core/report';
import { EXAMPLE_PATHS, type IncidentEvent } from './generate-incident';
import { INCIDENT, LOOP, type Variant } from './incident';

const I = INCIDENT;

/** The time of day (UTC) of epoch milliseconds, `hh:mm:ss`. */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** A duration as `NmSSs`. */
export function minutesSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Every line of `text` behind a prefix (the box the demo draws around an alert). */
export function indent(text: string, prefix = '  │ '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `${prefix}${l}`)
    .join('\n');
}

/** One AWS call the fake cloud answered, in a few words. */
export function describeCall(call: FakeAws['calls'][number]): string {
  const p = call.params;
  const members = (prefix: string) =>
    Object.entries(p)
      .filter(([k]) => new RegExp(`^${prefix}\\.member\\.\\d+$`).test(k))
      .map(([, v]) => v);
  switch (call.action) {
    case 'SuspendProcesses':
    case 'ResumeProcesses':
      return `autoscaling:${call.action} ${p['AutoScalingGroupName']} ${JSON.stringify(members('ScalingProcesses'))}`;
    case 'CreateOrUpdateTags':
    case 'DeleteTags': {
      const keys = Object.entries(p)
        .filter(([k]) => /^Tags\.member\.\d+\.Key$/.test(k))
        .map(([, v]) => v);
      return `autoscaling:${call.action} ${keys.join(', ')}`;
    }
    case 'ListContainerInstances': {
      const ids = (p['filter'] ?? '').match(/'i-[0-9a-f]+'/g)?.length ?? 0;
      return `ecs:ListContainerInstances ${p['cluster']} (ec2InstanceId in [${ids} ids])`;
    }
    case 'Publish':
      return `sns:Publish "${p['Subject'] ?? '(no subject)'}"`;
    default:
      return `${call.service}:${call.action}`;
  }
}

/** The calls of one event, several to a line. */
export function callLines(calls: readonly FakeAws['calls'][number][], prefix: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const c of calls) {
    const text = describeCall(c);
    if (line !== '' && line.length + text.length > 88) {
      lines.push(`${prefix}→ ${line}`);
      line = '';
    }
    line = line === '' ? text : `${line} · ${text}`;
  }
  if (line !== '') lines.push(`${prefix}→ ${line}`);
  return lines;
}

/** Words of `text` in lines of at most `width` characters. */
export function wrap(text: string, width = 96): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** What the demo is about to play, in the words of its variant. */
export function intro(
  variant: Variant,
  events: readonly IncidentEvent[],
  out: (line?: string) => void,
): void {
  const para = (text: string) => {
    for (const l of wrap(text)) out(l);
    out();
  };
  const every = LOOP[variant].everySeconds / 60;
  if (variant === 'unregistered') {
    out('launch-loop-guard demo: an ECS capacity provider that keeps launching instances it cannot use');
    out('='.repeat(96));
    para(
      `Group ${I.groupName} (${I.account}, ${I.region}) backs capacity provider ${I.capacityProvider} of ECS cluster ${I.cluster}. It launches ${I.instanceType} instances from ${I.imageId} (${I.imageName}). They come up InService and Healthy, but their instance role lacks the ECS permissions, so none registers as a container instance. Tasks keep waiting, managed scaling keeps raising the desired capacity, and managed termination protection keeps every instance: one launch every ${every} minutes, no termination, and nothing in AWS stops it.`,
    );
  } else {
    out('launch-loop-guard demo (--variant replace): a group that replaces its instances in a loop');
    out('='.repeat(96));
    para(
      `Group ${I.groupName} (${I.account}, ${I.region}) backs capacity provider ${I.capacityProvider} of ECS cluster ${I.cluster} and launches ${I.instanceType} instances from ${I.imageId} (${I.imageName}). Each instance shuts itself down during boot; Auto Scaling's EC2 health check finds it stopped, terminates it and launches a replacement, about every ${every} minutes.`,
    );
  }
  para(
    `The guard, with its defaults: a launch has failed when it is not useful (InService and Healthy, and a container instance of ${I.cluster}, as the group backs its capacity provider) 10 minutes after launch, or when Auto Scaling replaced it for a failed health check. Streak rule: the group's last 4 decided launches all failed. Count rule: 10 launches in 1h, at least half of the decided ones failed. Either rule suspends Launch, once.`,
  );
  para(
    `${events.length} events (${relative(EXAMPLE_PATHS[variant])}: the loop's first hour left alone, ${LOOP[variant].launches} launches) reach lambda/entries/guard.ts at their delivery time: CloudTrail's 2 to 6 minutes late, Auto Scaling's own events within a minute. DynamoDB runs on dynalite, Auto Scaling, ECS, EC2 and SNS on a local server. Once Launch is suspended, Auto Scaling launches nothing more.`,
  );
}

/** A path from `demo/` on, as the repository names it. */
export function relative(path: string): string {
  const at = path.lastIndexOf('/demo/');
  return at >= 0 ? path.slice(at + 1) : path;
}

/** "failed 1-4 (not-registered) · undecided 5" from judged launches numbered by `numberOf`. */
export function fateText(judged: readonly JudgedLaunch[], numberOf: ReadonlyMap<string, number>): string {
  const runs: { label: string; from: number; to: number }[] = [];
  for (const j of judged) {
    const n = numberOf.get(j.instanceId) ?? 0;
    const label = j.fate === 'failed' || j.fate === 'neutral' ? `${j.fate} (${j.reason})` : j.fate;
    const last = runs.at(-1);
    if (last !== undefined && last.label === label && last.to === n - 1) last.to = n;
    else runs.push({ label, from: n, to: n });
  }
  return runs
    .map((r) => {
      const [word, why] = r.label.split(' ');
      return `${word} ${r.from === r.to ? r.from : `${r.from}-${r.to}`}${why ? ` ${why}` : ''}`;
    })
    .join(' · ');
}

/** The trip: its rule and first evidence, the calls it made, and the alert once. */
export function showTrip(
  fake: FakeAws,
  calls: readonly FakeAws['calls'][number][],
  out: (line?: string) => void,
  variant: Variant,
): void {
  const report = reportOf(fake.published.at(-1));
  const rule = report?.evidence?.rule ?? 'count';
  out(`          TRIP by the ${rule} rule: ${report ? evidenceLine(report)?.split('; ')[0] : ''}`);
  for (const c of calls) out(`          → ${describeCall(c)}`);
  showAlert(fake, out, variant);
}

/** The AMI-change alert, at the first launch of an AMI the group did not use: before any loop. */
export function showAmiChange(alert: FakeAws['published'][number], out: (line?: string) => void): void {
  out();
  out('  The AMI-change alert, at this first launch of a new AMI family (it suspends nothing):');
  out(`  ┌ Subject: ${alert.subject ?? ''}`);
  out(indent(alert.message));
  out('  └');
  out();
}

/** The trip report an alert carries in its `report` attribute. */
export function reportOf(published: FakeAws['published'][number] | undefined): TripReport | undefined {
  const raw = published?.attributes['report'];
  return raw === undefined ? undefined : (JSON.parse(raw) as TripReport);
}

/** The alert, once: the SNS text in full; Slack gets the same content as Block Kit. */
export function showAlert(fake: FakeAws, out: (line?: string) => void, variant: Variant): void {
  const alert = fake.published.at(-1);
  if (alert === undefined) return;
  out();
  out('  The alert on the SNS topic (e-mail, chat, pager subscribers):');
  out(`  ┌ Subject: ${alert.subject ?? ''}`);
  out(indent(alert.message));
  out(
    `  └ attributes: ${JSON.stringify(Object.fromEntries(Object.entries(alert.attributes).filter(([k]) => k !== 'report')))}`,
  );
  out(
    variant === 'unregistered'
      ? '  Slack gets the same alert as a Block Kit message: docs/slack-alert.png is this one (npm run render-slack).'
      : "  Slack gets the same alert as a Block Kit message (docs/slack-alert.png shows the default variant's).",
  );
  out();
}
