import { describe, expect, it } from 'vitest';
import { groupSettings, TAG } from '../../../lambda/core/group-settings';

const DEFAULTS = { threshold: 10, windowMs: 3_600_000, maxWindowMs: 86_400_000, streak: 4 };

describe('groupSettings', () => {
  /** Each value of the tag `tag` is read as `expected` in the setting `field`, without a problem. */
  function readsWithoutProblem(
    title: string,
    tag: string,
    field: 'exempt' | 'threshold' | 'windowMs',
    cases: [string, boolean | number][],
  ): void {
    it.each(cases)(title, (value, expected) => {
      // Act
      const s = groupSettings({ [tag]: value }, DEFAULTS);
      // Assess
      expect(s[field]).toBe(expected);
      expect(s.problems).toEqual([]);
    });
  }

  it('uses the defaults when the group has none of the tags', () => {
    // Act
    const s = groupSettings({ Name: 'web', 'aws:autoscaling:groupName': 'web' }, DEFAULTS);
    // Assess
    expect(s).toEqual({ exempt: false, threshold: 10, windowMs: 3_600_000, streak: 4, problems: [] });
  });

  it.each([
    ['6', 6],
    ['off', 0],
    ['OFF', 0],
    ['1', 4],
    ['11', 4],
    ['x', 4],
  ])('reads the failed-streak tag %j as %d', (raw, expected) => {
    // Act
    const s = groupSettings({ 'launch-loop-guard:failed-streak': raw }, DEFAULTS);
    // Assess
    expect(s.streak).toBe(expected);
    expect(s.problems.length).toBe(expected === 4 ? 1 : 0);
  });

  it('reads the deadline and the ECS cluster tags, refusing a deadline out of bounds', () => {
    // Act
    const ok = groupSettings(
      { 'launch-loop-guard:deadline': '20m', 'launch-loop-guard:ecs-cluster': ' prod ' },
      DEFAULTS,
    );
    const bad = groupSettings({ 'launch-loop-guard:deadline': '3h' }, DEFAULTS);
    // Assess
    expect(ok.deadlineMs).toBe(20 * 60_000);
    expect(ok.ecsCluster).toBe('prod');
    expect(bad.deadlineMs).toBeUndefined();
    expect(bad.problems[0]).toContain('launch-loop-guard:deadline="3h" is not a duration from 1m to 1h');
  });

  readsWithoutProblem('reads exempt=%j as %s without a problem', TAG.exempt, 'exempt', [
    ['true', true],
    ['TRUE', true],
    [' True ', true],
    ['false', false],
    ['False', false],
    ['', false],
  ]);

  it.each(['yes', '1', 'on', 'truee'])('refuses exempt=%j: not exempt, with a problem', (value) => {
    // Act
    const s = groupSettings({ [TAG.exempt]: value }, DEFAULTS);
    // Assess
    expect(s.exempt).toBe(false);
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toContain(TAG.exempt);
    expect(s.problems[0]).toContain(`"${value}"`);
  });

  readsWithoutProblem('reads threshold=%j as %i (below or above the default)', TAG.threshold, 'threshold', [
    ['3', 3],
    ['1', 1],
    [' 25 ', 25],
    ['10', 10],
    ['500', 500],
  ]);

  it.each(['0', '-3', '2.5', 'ten', '', '1e3', '0x10', '9999999999'])(
    'refuses threshold=%j: default kept, with a problem',
    (value) => {
      // Act
      const s = groupSettings({ [TAG.threshold]: value }, DEFAULTS);
      // Assess
      expect(s.threshold).toBe(10);
      expect(s.problems).toHaveLength(1);
      expect(s.problems[0]).toContain(TAG.threshold);
      expect(s.problems[0]).toContain('default threshold 10');
    },
  );

  readsWithoutProblem('reads window=%j as %i ms', TAG.window, 'windowMs', [
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['90s', 90_000],
    ['1d', 86_400_000],
    ['24h', 86_400_000],
  ]);

  it.each(['30', '2 hours', '0m', '-1h', '1w', ''])(
    'refuses window=%j: default kept, with a problem',
    (value) => {
      // Act
      const s = groupSettings({ [TAG.window]: value }, DEFAULTS);
      // Assess
      expect(s.windowMs).toBe(3_600_000);
      expect(s.problems).toHaveLength(1);
      expect(s.problems[0]).toContain('not a duration');
      expect(s.problems[0]).toContain('default window 1h');
    },
  );

  it.each(['30s', '59s'])('refuses window=%j, shorter than the guard takes', (value) => {
    // Act
    const s = groupSettings({ [TAG.window]: value }, DEFAULTS);
    // Assess
    expect(s.windowMs).toBe(3_600_000);
    expect(s.problems).toEqual([
      `tag ${TAG.window}="${value}" is shorter than 1 minute, the shortest window the guard takes: the default window 1h applies`,
    ]);
  });

  it.each(['25h', '2d', '86401s'])('refuses window=%j, longer than the store keeps', (value) => {
    // Act
    const s = groupSettings({ [TAG.window]: value }, DEFAULTS);
    // Assess
    expect(s.windowMs).toBe(3_600_000);
    expect(s.problems).toEqual([
      `tag ${TAG.window}="${value}" is longer than the longest window the store keeps (1d): the default window 1h applies`,
    ]);
  });

  it('reports every bad tag and keeps the good ones', () => {
    // Act
    const s = groupSettings({ [TAG.exempt]: 'maybe', [TAG.threshold]: '3', [TAG.window]: 'soon' }, DEFAULTS);
    // Assess
    expect(s.exempt).toBe(false);
    expect(s.threshold).toBe(3);
    expect(s.windowMs).toBe(3_600_000);
    expect(s.problems).toHaveLength(2);
  });

  it('reads tag keys exactly, as Auto Scaling does (keys are case-sensitive)', () => {
    // Act
    const s = groupSettings({ 'Launch-Loop-Guard:Threshold': '3' }, DEFAULTS);
    // Assess
    expect(s.threshold).toBe(10);
  });

  it('exports the keys the guard writes', () => {
    // Assess
    expect([TAG.suspendedAt, TAG.reason, TAG.processes]).toEqual([
      'launch-loop-guard:suspended-at',
      'launch-loop-guard:reason',
      'launch-loop-guard:suspended-processes',
    ]);
  });
});
