/**
 * What one counted event does next for its scope, decided from plain values: nothing, finish a
 * trip left unfinished, try the count rule, or try the streak rule, each possibly after re-arming
 * the scope. Pure: `guard.ts` gathers the facts from the store's view and acts on the answer.
 */
import { stepEpisode } from './episode';
import { MIN_STREAK } from './group-settings';
import type { TripProgress } from './scope-item';
import { SCOPE_KIND, type ScopeKind } from './types';

/** The scope as the count left it (the store's view, group settings refreshed). */
export interface ScopeFacts {
  readonly scope: ScopeKind;
  /** The scope may trip (its episode has not tripped yet). */
  readonly armed: boolean;
  /** Launches in the window, this event's included, and the threshold they are held to. */
  readonly count: number;
  readonly threshold: number;
  /** Launches this event added, and launches whose time it lowered. */
  readonly added: number;
  readonly lowered: number;
  /** Launches the scope knows (the streak rule needs `MIN_STREAK` of them). */
  readonly known: number;
  /** This invocation holds the scope's judge lease for the current minute. */
  readonly judge: boolean;
  /** The group's cached settings exempt it. */
  readonly exempt: boolean;
  /** How far the current episode's trip got, if it was claimed. */
  readonly progress?: TripProgress;
}

/**
 * `none`: nothing to do; `exempt`: nothing, but the exempt group crossed its threshold (say so);
 * `finish`: finish the unfinished trip; `count`: try the count rule (the AMI trip for an AMI
 * scope); `streak`: try the streak rule.
 */
export type NextAct = 'none' | 'exempt' | 'finish' | 'count' | 'streak';

/** `rearm`: end the episode first (the count fell below the threshold and new launches came). */
export interface NextAction {
  readonly rearm: boolean;
  readonly act: NextAct;
}

/** The next action for a scope; `failedStreak` is the deployment's streak length (0: off). */
export function nextAction(facts: ScopeFacts, failedStreak: number): NextAction {
  const { progress } = facts;
  // A trip left unfinished (its owner failed part-way) is finished first, even by an event whose
  // launches were all counted already.
  const unfinished =
    !facts.armed &&
    progress !== undefined &&
    progress.step !== 'done' &&
    (facts.count >= facts.threshold || progress.streakUpTo !== undefined);
  if (unfinished) return { rearm: false, act: 'finish' };

  // The streak rule is judged by the holder of the judge lease only; a tag may change N or turn
  // it off, not turn it on.
  const streak = (armed: boolean): NextAct =>
    facts.judge && !facts.exempt && failedStreak !== 0 && armed && facts.known >= MIN_STREAK
      ? 'streak'
      : 'none';
  // A repeated mention changes no count, but time has passed: it may judge the streak rule.
  if (facts.added === 0 && facts.lowered === 0) return { rearm: false, act: streak(facts.armed) };
  if (facts.exempt) return { rearm: false, act: facts.count >= facts.threshold ? 'exempt' : 'none' };

  const step = stepEpisode(facts.armed, facts.count, facts.threshold, facts.added > 0);
  // The event whose write crossed the threshold always tries; later attempts of an unconfirmed
  // trip wait for the judge lease.
  const crossed = facts.count - facts.added < facts.threshold;
  if (step.trip && (facts.judge || crossed)) return { rearm: step.rearmed, act: 'count' };
  if (facts.scope === SCOPE_KIND.ami) return { rearm: step.rearmed, act: 'none' };
  return { rearm: step.rearmed, act: streak(facts.armed || step.rearmed) };
}
