/**
 * A scope as the operator tools list it (`status`): its count, policy and trip, from its item.
 */
import { effectivePolicy } from './claim';
import { evaluate, type ItemState, isArmed, type TripProgress } from './scope-item';
import type { ScopeKey, ScopePolicy } from './types';

/** A scope as `status` lists it. */
export interface ScopeSummary {
  readonly key: ScopeKey;
  readonly count: number;
  readonly saturated: boolean;
  readonly threshold: number;
  readonly windowMs: number;
  /** The newest launch (epoch ms); absent for an empty scope. */
  readonly newest?: number;
  readonly armed: boolean;
  readonly tripProgress?: TripProgress;
}

/**
 * Summarize one scope's item.
 *
 * @param defaults the policy of a scope without cached settings
 */
export function summarizeScope(key: ScopeKey, state: ItemState, defaults: ScopePolicy): ScopeSummary {
  const policy = effectivePolicy(state, defaults);
  const ev = evaluate(state.ids, state.watermark, Math.round(policy.windowMs / 1000));
  return {
    key,
    count: ev.count,
    saturated: ev.saturated,
    threshold: policy.threshold,
    windowMs: policy.windowMs,
    ...(ev.newest !== undefined ? { newest: ev.newest * 1000 } : {}),
    armed: isArmed(state),
    ...(state.tripProgress ? { tripProgress: state.tripProgress } : {}),
  };
}
