/**
 * The cost line of a trip alert: the estimate of the window's launches, bounded in time, and its
 * `EstimatedLoopCost` metric.
 */

import { isSyntheticId } from '../../core/fate';
import { cents, type LoopCost } from '../../core/loop-cost';
import { METRIC } from '../../core/metric-names';
import type { TripReport } from '../../core/report';
import type { GroupSnapshot } from '../../ports';
import { COST_WAIT_MS, estimateLaunchCost, unknownCost, withinBound } from '../loop-cost';
import type { TripContext } from './context';

/**
 * The cost estimate of the window's launches, within {@link COST_WAIT_MS} (else "unknown"), and
 * its `EstimatedLoopCost` metric.
 */
export async function loopCost(
  ctx: TripContext,
  group: GroupSnapshot | undefined,
): Promise<Pick<TripReport, 'cost'>> {
  const { deps, view, now } = ctx;
  const launches = view.evaluation.inWindow
    .filter((l) => !isSyntheticId(l.instanceId))
    .map((l) => ({ instanceId: l.instanceId, launchedAt: l.time * 1000 }));
  const maxSize = group?.maxSize;
  const estimate = await withinBound(
    estimateLaunchCost(deps.costs, view.key.region, launches, now, maxSize),
    COST_WAIT_MS,
  );
  // A window the store keeps only part of counts its launches beyond the kept ones: "at least".
  const cost = estimate
    ? { ...estimate, instances: Math.max(estimate.instances, view.evaluation.count) }
    : unknownCost(view.evaluation.count, now, maxSize);
  if (cost.spentUsd !== undefined)
    // The day's prices in the price-file shape: `replay --prices` reads them back.
    deps.log.info('loop cost estimated', { key: view.key.key, cost, prices: deps.costs.cache.toFile() });
  else deps.log.warn('loop cost unknown: no price in time', { key: view.key.key });
  return { cost };
}

/** `EstimatedLoopCost` of a trip whose alert went out: USD per day, at MaxSize, else at the rate. */
export function costMetric(ctx: TripContext, cost: LoopCost): void {
  const perDay = cost.perDayAtMaxUsd ?? cost.perDayAtRateUsd;
  if (perDay === undefined) return;
  ctx.deps.metrics.amount(METRIC.estimatedLoopCost, cents(perDay));
}
