/**
 * The scenario simulator (bench/sim/): every scenario of `bench/sim/scenarios.ts` played for
 * hours of simulated time against the real guard, on dynalite and the fake cloud. One line per
 * scenario, then a summary against issue 8's targets: every loop suspended within 12 launches of
 * its first failed launch (the 15-minute loop within 6), no healthy group suspended.
 *
 * `SIM_ONLY=<substring>` plays only the matching scenarios; `SIM_HOURS=<n>` shortens them;
 * `SIM_LOG=1` prints the guard's log lines with their simulated time; `SIM_SEEDS=<n>` plays each
 * scenario with n seeds (its own, then +1000, +2000, …; 4 by default), one line per scenario and
 * seed with the launches before its suspension.
 */
import { runScenario, type ScenarioReport, simClock, startSimEnv } from './sim/harness';
import { SCENARIOS } from './sim/scenarios';
import { HOUR } from './sim/world';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function line(r: ScenarioReport): string {
  const verdict = r.meetsTarget ? 'ok  ' : 'MISS';
  const susp =
    r.suspensions.length === 0
      ? 'not suspended'
      : r.suspensions
          .map((s) => `${s.group} suspended ${simClock(s.at)} after ${s.launchesBefore} launches`)
          .join(', ');
  const loop = r.loop
    ? `since the first failed launch ${r.launchesSinceFirstFailure} (target ≤ ${r.withinLaunches}), launches in all ${r.launches}`
    : `launches ${r.launches}`;
  const peak = r.callPeak ? `${r.callPeak.calls} ${r.callPeak.action}` : '0';
  const outcomes = Object.entries(r.tripOutcomes)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  return [
    `${verdict} ${`${r.name} seed ${r.seed}`.padEnd(46)} ${susp}; ${loop}`,
    `      alerts ${r.alerts} (loop alerts ${r.loopAlerts}, target ${r.loop ? 1 : 0}${r.loopAlertScopes.length > 0 ? `: ${r.loopAlertScopes.join(', ')}` : ''}), deliveries ${r.deliveries}, errors ${r.errors} (dead letters ${r.deadLetters}), DynamoDB req/event/scope ${r.dynamoPerScopeQuiet.toFixed(2)} quiet / ${r.dynamoPerScopeAll.toFixed(2)} all, peak calls/group/min ${peak} (${r.callPeakAllActions?.calls ?? 0} all actions)${r.regionPeak ? `, region-wide ${r.regionPeak.calls} ${r.regionPeak.action}` : ''}${outcomes ? `, trips: ${outcomes}` : ''}`,
    ...(r.firstError ? [`      first error: ${r.firstError}`] : []),
  ].join('\n');
}

function printLog(level: string, at: number, message: string, extra: Record<string, unknown>[]): void {
  console.log(`      ${simClock(at)} ${level} ${message} ${extra.map((e) => JSON.stringify(e)).join(' ')}`);
}

async function main(): Promise<void> {
  const only = process.env.SIM_ONLY;
  const hours = process.env.SIM_HOURS ? Number(process.env.SIM_HOURS) : undefined;
  const seeds = Math.max(1, Number(process.env.SIM_SEEDS ?? 4) || 4);
  const chosen = SCENARIOS.filter((s) => only === undefined || s.name.includes(only)).flatMap((s) =>
    Array.from({ length: seeds }, (_, k) => ({ ...s, seed: s.seed + 1000 * k })),
  );
  const env = await startSimEnv();
  const reports: ScenarioReport[] = [];
  const started = process.hrtime.bigint();
  try {
    for (const s of chosen) {
      const r = await runScenario(s, env, {
        ...(hours ? { durationMs: hours * HOUR } : {}),
        ...(process.env.SIM_LOG ? { log: printLog } : {}),
      });
      reports.push(r);
      console.log(line(r));
    }
  } finally {
    await env.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const loops = reports.filter((r) => r.loop);
  const healthy = reports.filter((r) => !r.loop);
  const caught = loops.filter((r) => r.meetsTarget).length;
  const wrongly = healthy.filter((r) => r.suspensions.length > 0).length;
  const called = healthy.filter((r) => r.loopAlerts > 0).length;
  const paged = loops.filter((r) => r.loopAlerts === 1).length;
  const worst = loops.reduce((m, r) => Math.max(m, r.launchesSinceFirstFailure ?? 0), 0);
  const quiet = Math.max(...reports.map((r) => r.dynamoPerScopeQuiet));
  console.log(
    `summary: loops caught within target ${caught} / ${loops.length}, healthy groups suspended ${wrongly} / ${healthy.length}, ` +
      `healthy scenarios called a loop (a loop alert naming their groups or AMIs) ${called} / ${healthy.length}, loops paged exactly once ${paged} / ${loops.length}, ` +
      `worst launches since first failed (suspended or not) ${worst}, worst DynamoDB req/event/scope on the quiet path ${quiet.toFixed(2)}; ` +
      `${reports.length} scenarios in ${seconds.toFixed(1)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
