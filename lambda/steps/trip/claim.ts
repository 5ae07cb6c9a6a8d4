/**
 * The claim phase: exactly one invocation owns a trip. The store's conditional write says
 * whether this invocation took the trip (`claimed`), owns it already and resumes it from the
 * progress it saved (`resumed`: Lambda's retry of the same invocation, or a takeover of a trip
 * whose owner stalled), or must leave it to another invocation (`lost`).
 */
import { METRIC } from '../../core/metric-names';
import type { TripProgress } from '../../core/scope-item';
import type { TripContext } from './context';

/** What the claim leaves to do: nothing (with the outcome), or the trip from its progress on. */
export type ClaimResult =
  | { readonly kind: 'stop'; readonly outcome: 'lost' | 'done-before' }
  | { readonly kind: 'act'; readonly progress: TripProgress };

/**
 * Take the trip, or find it taken. A trip claimed for the first time is counted (`Trips`) and
 * logged; a resumed one whose progress says `done` needs nothing more.
 */
export async function claimTrip(ctx: TripContext): Promise<ClaimResult> {
  const { view, deps, now, owner } = ctx;
  const episode = view.before.episode;
  const claim = await deps.counter.claimTrip(view.key, episode, owner, now);
  if (claim.kind === 'lost') return { kind: 'stop', outcome: 'lost' };
  const progress: TripProgress = claim.kind === 'resumed' ? claim.progress : { step: 'claimed' };
  if (progress.step === 'done') return { kind: 'stop', outcome: 'done-before' };
  if (claim.kind === 'claimed') {
    deps.metrics.count(METRIC.trips);
    deps.log.info('scope tripped', {
      scope: view.key.scope,
      key: view.key.key,
      launches: view.evaluation.count,
      threshold: view.policy.threshold,
    });
  }
  return { kind: 'act', progress };
}
