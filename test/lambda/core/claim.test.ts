import { describe, expect, it } from 'vitest';
import {
  arbitrateClaim,
  CLAIMED,
  effectivePolicy,
  parseScopeId,
  settleClaim,
  TRIP_TAKEOVER_MS,
  tripOwner,
} from '../../../lambda/core/claim';
import { decodeItem, type ItemState } from '../../../lambda/core/scope-item';
import { type ScopeKey, scopeId } from '../../../lambda/core/types';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const EPISODE = 3;

/** The item a failed claim returns: episode 3 tripped by `owner` at T0, `step` reached. */
function held(overrides: Partial<ItemState> = {}): ItemState {
  return {
    ...decodeItem(undefined),
    episode: EPISODE,
    trippedEpisode: EPISODE,
    tripOwner: 'owner-a',
    tripAt: T0,
    tripProgress: { step: 'claimed' },
    ...overrides,
  };
}

describe('arbitrateClaim', () => {
  it('is lost when the scope moved on to another episode', () => {
    expect(arbitrateClaim(held({ episode: EPISODE + 1 }), EPISODE, 'owner-a', T0)).toBe('lost');
  });

  it('is lost when the episode was not tripped (the claim failed for another reason)', () => {
    expect(arbitrateClaim(held({ trippedEpisode: undefined }), EPISODE, 'owner-b', T0)).toBe('lost');
    expect(arbitrateClaim(held({ trippedEpisode: EPISODE - 1 }), EPISODE, 'owner-a', T0)).toBe('lost');
  });

  it('resumes for the same owner (a retry of the invocation), however long ago and however far it got', () => {
    expect(arbitrateClaim(held(), EPISODE, 'owner-a', T0 + 1000)).toBe('resume');
    expect(arbitrateClaim(held({ tripProgress: { step: 'done' } }), EPISODE, 'owner-a', T0)).toBe('resume');
    expect(arbitrateClaim(held(), EPISODE, 'owner-a', T0 + 2 * TRIP_TAKEOVER_MS)).toBe('resume');
  });

  it('is lost for another owner while the owner is within the takeover period', () => {
    expect(arbitrateClaim(held(), EPISODE, 'owner-b', T0)).toBe('lost');
    expect(arbitrateClaim(held(), EPISODE, 'owner-b', T0 + TRIP_TAKEOVER_MS - 1)).toBe('lost');
  });

  it('takes over from another owner idle for the takeover period or longer', () => {
    expect(arbitrateClaim(held(), EPISODE, 'owner-b', T0 + TRIP_TAKEOVER_MS)).toBe('take-over');
    expect(arbitrateClaim(held(), EPISODE, 'owner-b', T0 + 11 * 60_000)).toBe('take-over');
  });

  it('takes over when no claim time was kept, and treats no progress as claimed', () => {
    expect(arbitrateClaim(held({ tripAt: undefined }), EPISODE, 'owner-b', T0)).toBe('take-over');
    expect(arbitrateClaim(held({ tripProgress: undefined }), EPISODE, 'owner-b', T0 + TRIP_TAKEOVER_MS)).toBe(
      'take-over',
    );
  });

  it('never takes over a finished trip', () => {
    const done = held({ tripProgress: { step: 'done' } });
    expect(arbitrateClaim(done, EPISODE, 'owner-b', T0 + 10 * TRIP_TAKEOVER_MS)).toBe('lost');
  });

  it('keeps the takeover period at 10 minutes', () => {
    expect(TRIP_TAKEOVER_MS).toBe(600_000);
  });
});

describe('effectivePolicy', () => {
  const defaults = { threshold: 20, windowMs: 3_600_000 };

  it('uses the defaults without cached settings', () => {
    expect(effectivePolicy(decodeItem(undefined), defaults)).toBe(defaults);
  });

  it('uses the cached settings, without their exemption', () => {
    const state = { ...decodeItem(undefined), settings: { threshold: 5, windowMs: 60_000, exempt: true } };
    expect(effectivePolicy(state, defaults)).toEqual({ threshold: 5, windowMs: 60_000 });
  });
});

describe('parseScopeId', () => {
  it('is the inverse of scopeId, a key holding # included', () => {
    const keys: ScopeKey[] = [
      { scope: 'asg', account: '111122223333', region: 'eu-west-1', key: 'web' },
      { scope: 'ami', account: '111122223333', region: 'us-east-1', key: 'ami-0123456789abcdef0' },
      { scope: 'asg', account: '1', region: 'us-east-1', key: 'a#b' },
    ];
    for (const key of keys) expect(parseScopeId(scopeId(key))).toEqual(key);
  });

  it('refuses other kinds and missing parts', () => {
    for (const pk of ['zzz#1#r#k', 'fate#asg#1#r#k', 'asg#1#r', 'asg##r#k', 'asg#1##k', '', 'asg'])
      expect(parseScopeId(pk)).toBeUndefined();
  });
});

describe('settleClaim', () => {
  const a = tripOwner('owner-a');
  const b = tripOwner('owner-b');

  it('is lost when arbitration says lost', () => {
    // Prepare
    const moved = held({ episode: EPISODE + 1 });
    // Act
    const claim = settleClaim(moved, EPISODE, a, T0);
    // Assess
    expect(claim).toEqual({ kind: 'lost' });
  });

  it('resumes the same owner where its trip got', () => {
    // Prepare
    const suspended = held({ tripProgress: { step: 'suspended', processes: ['Launch'] } });
    // Act
    const claim = settleClaim(suspended, EPISODE, a, T0 + 1000);
    // Assess
    expect(claim).toEqual({ kind: 'resumed', progress: { step: 'suspended', processes: ['Launch'] } });
  });

  it('resumes from a fresh claim when the item kept no progress', () => {
    expect(settleClaim(held({ tripProgress: undefined }), EPISODE, a, T0)).toEqual({
      kind: 'resumed',
      progress: CLAIMED,
    });
  });

  it('asks the store to take over an idle trip, with the progress the taker resumes from', () => {
    // Prepare
    const tagged = held({ tripProgress: { step: 'tagged', tagged: true } });
    // Act
    const claim = settleClaim(tagged, EPISODE, b, T0 + TRIP_TAKEOVER_MS);
    // Assess
    expect(claim).toEqual({ kind: 'take-over', progress: { step: 'tagged', tagged: true } });
  });

  it('leaves a busy owner its trip', () => {
    expect(settleClaim(held(), EPISODE, b, T0 + TRIP_TAKEOVER_MS - 1)).toEqual({ kind: 'lost' });
  });
});

describe('tripOwner', () => {
  it('names the owner by the invocation id, unchanged', () => {
    expect(tripOwner('7f3c-request')).toBe('7f3c-request');
  });

  it('writes a fresh claim as the claimed step', () => {
    expect(CLAIMED).toEqual({ step: 'claimed' });
  });
});
