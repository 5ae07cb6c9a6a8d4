import { describe, expect, it } from 'vitest';
import { MIN_STREAK } from '../../../lambda/core/group-settings';
import { type NextAction, nextAction, type ScopeFacts } from '../../../lambda/core/next-action';

/** An armed group scope of threshold 10 at 5 launches, this event adding one; judge lease held. */
const BASE: ScopeFacts = {
  scope: 'asg',
  armed: true,
  count: 5,
  threshold: 10,
  added: 1,
  lowered: 0,
  known: 5,
  judge: true,
  exempt: false,
};
const STREAK = 3;

const none: NextAction = { rearm: false, act: 'none' };
const streak: NextAction = { rearm: false, act: 'streak' };
const count: NextAction = { rearm: false, act: 'count' };
const finish: NextAction = { rearm: false, act: 'finish' };

const cases: ReadonlyArray<readonly [string, Partial<ScopeFacts>, NextAction, number?]> = [
  // Unfinished trips.
  [
    'finishes a claimed trip over the threshold',
    { armed: false, count: 12, progress: { step: 'claimed' } },
    finish,
  ],
  [
    'finishes a suspended trip, no launch added',
    { armed: false, count: 12, added: 0, progress: { step: 'suspended' } },
    finish,
  ],
  [
    'finishes a streak trip under the threshold',
    { armed: false, count: 3, progress: { step: 'tagged', streakUpTo: 1 } },
    finish,
  ],
  [
    'finishes on an exempt group too (the trip began before)',
    { armed: false, count: 12, exempt: true, progress: { step: 'claimed' } },
    finish,
  ],
  ['finishes an AMI trip', { scope: 'ami', armed: false, count: 12, progress: { step: 'claimed' } }, finish],
  ['leaves a done trip', { armed: false, count: 12, added: 0, progress: { step: 'done' } }, none],
  [
    'leaves a count trip that fell under the threshold',
    { armed: false, count: 9, added: 0, progress: { step: 'claimed' } },
    none,
  ],
  [
    'leaves an armed scope with stale progress to the rules',
    { count: 12, progress: { step: 'claimed' } },
    count,
  ],
  // Nothing changed: the streak rule only.
  ['judges the streak on a repeated mention', { added: 0 }, streak],
  ['judges the streak on a repeated mention at exactly MIN_STREAK', { added: 0, known: MIN_STREAK }, streak],
  ['no streak under MIN_STREAK launches known', { added: 0, known: MIN_STREAK - 1 }, none],
  ['no streak without the judge lease', { added: 0, judge: false }, none],
  ['no streak on an exempt group', { added: 0, exempt: true, count: 12 }, none],
  ['no streak when the deployment turned it off', { added: 0 }, none, 0],
  ['no streak on a disarmed scope', { added: 0, armed: false, count: 12 }, none],
  ['no count rule on a repeated mention over the threshold', { added: 0, count: 12 }, streak],
  ['a lowered time counts as a change', { added: 0, lowered: 1, count: 10 }, count],
  // Exempt.
  [
    'an exempt group over its threshold is noted',
    { exempt: true, count: 10 },
    { rearm: false, act: 'exempt' },
  ],
  ['an exempt group under its threshold is left', { exempt: true }, none],
  // Count rule.
  ['the write that crossed the threshold trips without the lease', { count: 10, judge: false }, count],
  ['the write that crossed by several trips', { count: 14, added: 5, judge: false }, count],
  ['a later write over the threshold waits for the lease', { count: 11, judge: false }, none],
  ['a later write over the threshold with the lease trips', { count: 11 }, count],
  ['a disarmed scope over the threshold does not trip', { armed: false, count: 11 }, none],
  ['the AMI count rule trips like the group one', { scope: 'ami', count: 10, judge: false }, count],
  ['an AMI scope later without the lease waits', { scope: 'ami', count: 11, judge: false }, none],
  // Under the threshold: streak, and re-arming.
  ['under the threshold with the lease tries the streak', {}, streak],
  ['under the threshold without the lease does nothing', { judge: false }, none],
  ['the streak needs MIN_STREAK launches known', { known: MIN_STREAK - 1 }, none],
  ['the streak is off for the deployment', {}, none, 0],
  ['an AMI scope has no streak rule on a new launch', { scope: 'ami' }, none],
  [
    'a disarmed scope back under the threshold re-arms, then tries the streak',
    { armed: false },
    { rearm: true, act: 'streak' },
  ],
  ['re-arms without the lease, and stops', { armed: false, judge: false }, { rearm: true, act: 'none' }],
  ['re-arms an AMI scope, and stops', { scope: 'ami', armed: false }, { rearm: true, act: 'none' }],
  ['a lowered time alone does not re-arm', { armed: false, added: 0, lowered: 1 }, none],
];

describe('nextAction', () => {
  for (const [name, facts, expected, failedStreak = STREAK] of cases) {
    it(name, () => {
      expect(nextAction({ ...BASE, ...facts }, failedStreak)).toEqual(expected);
    });
  }
});
