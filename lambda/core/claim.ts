/**
 * Trip claims and scope ids, the rules without the store: who owns a trip, what a failed
 * conditional claim of a trip means (lost, resumed, or a take-over the store still has to win),
 * the policy a scope is counted with, and a partition key read back into its scope. Pure: the
 * store adapter (`adapters/scope-store.ts`) does the writes, hands back the item a failed claim
 * found, and asks these.
 */
import type { ItemState, TripProgress } from './scope-item';
import { SCOPE_KIND, type ScopeKey, type ScopePolicy } from './types';

/** A claimed trip whose owner made no progress for this long may be taken over. */
export const TRIP_TAKEOVER_MS = 10 * 60 * 1000;

/**
 * Who holds a trip: one invocation of the function, never one event. Lambda's retry of an
 * invocation is the same invocation (it resumes the trip); a concurrent duplicate of the same
 * event is another invocation (it leaves the trip alone). A distinct type, so that an event id
 * cannot be passed where an owner is expected.
 */
export type TripOwner = string & { readonly tripOwner: unique symbol };

/** The owner name of one invocation, from its Lambda request id (`context.awsRequestId`). */
export function tripOwner(invocationId: string): TripOwner {
  return invocationId as TripOwner;
}

/** The outcome of trying to take a trip. */
export type TripClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'resumed'; readonly progress: TripProgress }
  | { readonly kind: 'lost' };

/** The progress a fresh claim writes. */
export const CLAIMED: TripProgress = { step: 'claimed' };

/**
 * What a failed claim comes to, from the item as the failed write found it: the claim, or a
 * take-over the store still has to win (then the claim resumes with `progress`, else it is lost).
 */
export function settleClaim(
  old: ItemState,
  episode: number,
  owner: TripOwner,
  now: number,
): TripClaim | { readonly kind: 'take-over'; readonly progress: TripProgress } {
  const verdict = arbitrateClaim(old, episode, owner, now);
  if (verdict === 'lost') return { kind: 'lost' };
  const progress = old.tripProgress ?? CLAIMED;
  return verdict === 'resume' ? { kind: 'resumed', progress } : { kind: 'take-over', progress };
}

/**
 * What a claim of `episode`'s trip by `owner` at `now` means when the conditional write failed
 * and the item was `old`: `lost` (another episode, not tripped, done, or its owner still
 * working), `resume` (the same owner: a retry of the invocation that claimed it), or `take-over`
 * (another owner made no progress for `TRIP_TAKEOVER_MS`; the store still has to win the write).
 */
export function arbitrateClaim(
  old: ItemState,
  episode: number,
  owner: string,
  now: number,
): 'lost' | 'resume' | 'take-over' {
  if (old.episode !== episode || old.trippedEpisode !== episode) return 'lost';
  if (old.tripOwner === owner) return 'resume';
  const idle = old.tripAt === undefined || now - old.tripAt >= TRIP_TAKEOVER_MS;
  if (old.tripProgress?.step === 'done' || !idle) return 'lost';
  return 'take-over';
}

/** The policy a scope is counted with: its cached group settings, else the defaults. */
export function effectivePolicy(state: ItemState, defaults: ScopePolicy): ScopePolicy {
  return state.settings
    ? { threshold: state.settings.threshold, windowMs: state.settings.windowMs }
    : defaults;
}

/** Parse a partition key back into its scope (the inverse of `scopeId` in `types.ts`). */
export function parseScopeId(pk: string): ScopeKey | undefined {
  const [scope, account, region, ...rest] = pk.split('#');
  if ((scope !== SCOPE_KIND.asg && scope !== SCOPE_KIND.ami) || !account || !region || rest.length === 0)
    return undefined;
  return { scope, account, region, key: rest.join('#') };
}
