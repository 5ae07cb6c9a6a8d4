/**
 * The leases a scope's item hands out, and how long its items live. A lease is a period number
 * written by the first write of the period: the one invocation whose write finds another period
 * in the old item holds the lease for this period, across all containers. Pure: the store
 * (`adapters/scope-store.ts`) writes the period numbers and asks these who holds them.
 */
import { DEDUP_SKEW_S, type ItemState, JUDGE_PERIOD_MS, toSeconds } from './scope-item';
import { DEFAULTS, SCOPE_KIND, type ScopeKind } from './types';

/** How long an item outlives the longest window after its newest launch (seconds): a day. */
export const EXPIRY_MARGIN_S = 86_400;

/** The settings lease's period at `now` (ms): one tag check per group and 5 minutes. */
export function settingsPeriod(now: number): number {
  return Math.floor(now / DEFAULTS.settingsTtlMs);
}

/** The judge lease's period at `now` (ms): one judgement per scope and minute. */
export function judgePeriod(now: number): number {
  return Math.floor(now / JUDGE_PERIOD_MS);
}

/**
 * Whether the write that found `before` took the settings lease of `now`'s period: group
 * scopes only (an AMI scope has no tags to read).
 */
export function holdsSettingsLease(before: ItemState, scope: ScopeKind, now: number): boolean {
  return scope === SCOPE_KIND.asg && before.settingsLease !== settingsPeriod(now);
}

/**
 * Whether the write that found `before` took the judge lease of `now`'s minute (both scopes: a
 * group's judging, and an AMI's confirmation while its count is over its threshold).
 */
export function holdsJudgeLease(before: ItemState, now: number): boolean {
  return before.judgeLease !== judgePeriod(now);
}

/**
 * The expiry (epoch seconds, DynamoDB's `ttl`) of an item whose newest launch is `newestS`:
 * past the longest window, the deduplication skew and a day's margin.
 *
 * @param maxWindowMs the longest window any scope may use
 */
export function itemExpiry(newestS: number, maxWindowMs: number): number {
  return newestS + Math.ceil(maxWindowMs / 1000) + DEDUP_SKEW_S + EXPIRY_MARGIN_S;
}

/** The expiry of a scope's count item written at `now` (ms). */
export function scopeItemExpiry(now: number, maxWindowMs: number): number {
  return itemExpiry(toSeconds(now), maxWindowMs);
}
