/**
 * Confirm a trip, then act: the path that runs only when a scope's count reaches its threshold.
 *
 * Exactly one invocation owns a trip (`claim.ts`, owner `ctx.owner`: the invocation, not the
 * event); it records how far its actions got, so that Lambda's retry of that invocation after a
 * partial success (say the suspension worked and the alert failed) finishes the job without
 * acting twice, while a concurrent duplicate of the same event, another invocation, does nothing.
 *
 * The phases, one file each: `claim.ts` (take the trip), `confirm.ts` (by the launches' fates),
 * `suspend.ts` (suspend, or alert only when stale or a dry run), `finish.ts` (tag, plan
 * auto-resume, alert). A group's trip runs them in `group-trip.ts`, an AMI's in `ami-trip.ts`.
 * What they share: `context.ts` (the trip's context and report), `evidence.ts` (which rule the
 * judged launches meet), `alert-facts.ts` and `cost.ts` (the alert's AMI, role and cost lines),
 * `auto-resume.ts`.
 */
import { SCOPE_KIND } from '../../core/types';
import { amiTrip } from './ami-trip';
import { claimTrip } from './claim';
import type { TripContext, TripOutcome } from './context';
import { groupTrip } from './group-trip';

export type { TripContext, TripOutcome } from './context';
export { evidenceOf } from './evidence';

/** Take the trip and act on it. */
export async function actOnTrip(ctx: TripContext): Promise<TripOutcome> {
  const claim = await claimTrip(ctx);
  if (claim.kind === 'stop') return claim.outcome;
  return ctx.view.key.scope === SCOPE_KIND.asg
    ? groupTrip(ctx, claim.progress)
    : amiTrip(ctx, claim.progress);
}
