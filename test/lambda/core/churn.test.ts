import { describe, expect, it } from 'vitest';
import {
  checkChurn,
  type GroupInstance,
  isSyntheticId,
  LAUNCH_FATE,
  launchFate,
  PENDING_FLOOR_MS,
  type WindowLaunch,
} from '../../../lambda/core/churn';

const NOW = Date.parse('2025-12-10T09:00:00Z');
const MIN = 60_000;
const GRACE_MS = 10 * MIN;

function live(instanceId: string, lifecycleState: string, healthStatus = 'Healthy'): GroupInstance {
  return { instanceId, lifecycleState, healthStatus };
}

describe('launchFate', () => {
  const launchedAgo = (ms: number): WindowLaunch => ({ instanceId: 'i-0a1', time: NOW - ms });

  it.each([
    ['InService', 'Healthy', 20, LAUNCH_FATE.kept],
    ['InService', 'Unhealthy', 20, LAUNCH_FATE.churned],
    ['InService', 'UNHEALTHY', 20, LAUNCH_FATE.churned],
    ['Standby', 'Healthy', 20, LAUNCH_FATE.kept],
    ['EnteringStandby', 'Healthy', 20, LAUNCH_FATE.kept],
    ['Pending', 'Healthy', 2, LAUNCH_FATE.pendingInGrace],
    ['Pending:Wait', 'Healthy', 9, LAUNCH_FATE.pendingInGrace],
    ['Pending:Proceed', 'Healthy', 9, LAUNCH_FATE.pendingInGrace],
    ['Pending', 'Healthy', 10, LAUNCH_FATE.churned],
    ['Pending:Wait', 'Healthy', 45, LAUNCH_FATE.churned],
    ['Pending', 'Unhealthy', 1, LAUNCH_FATE.churned],
    ['Terminating', 'Healthy', 20, LAUNCH_FATE.churned],
    ['Terminating:Wait', 'Unhealthy', 20, LAUNCH_FATE.churned],
    ['Terminating:Proceed', 'Healthy', 20, LAUNCH_FATE.churned],
    ['Terminated', 'Healthy', 20, LAUNCH_FATE.churned],
    ['Detaching', 'Healthy', 20, LAUNCH_FATE.churned],
    ['Detached', 'Healthy', 20, LAUNCH_FATE.churned],
    ['Warmed:Stopped', 'Healthy', 20, LAUNCH_FATE.kept],
    ['Warmed:Running', 'Healthy', 20, LAUNCH_FATE.kept],
    ['Warmed:Hibernated', 'Healthy', 20, LAUNCH_FATE.kept],
    ['Warmed:Pending:Wait', 'Healthy', 20, LAUNCH_FATE.kept],
    ['Warmed:Terminating', 'Healthy', 20, LAUNCH_FATE.churned],
    ['Warmed:Terminated', 'Healthy', 20, LAUNCH_FATE.churned],
    ['SomethingNew', 'Healthy', 20, LAUNCH_FATE.churned],
  ])('%s / %s, launched %i min ago → %s', (state, health, minutesAgo, fate) => {
    // Act
    const got = launchFate(launchedAgo(minutesAgo * MIN), live('i-0a1', state, health), GRACE_MS, NOW);
    // Assess
    expect(got).toBe(fate);
  });

  it('classes an instance the group no longer lists as churned', () => {
    // Act
    const got = launchFate(launchedAgo(20 * MIN), undefined, GRACE_MS, NOW);
    // Assess
    expect(got).toBe(LAUNCH_FATE.churned);
  });

  it('classes a synthetic id as excluded, whatever the group lists', () => {
    // Act
    const got = launchFate({ instanceId: 'e5f1c2d3-aaaa#0', time: NOW }, undefined, GRACE_MS, NOW);
    // Assess
    expect(got).toBe(LAUNCH_FATE.excluded);
  });
});

describe('isSyntheticId', () => {
  it.each([
    ['i-0123456789abcdef0', false],
    ['0f1e2d3c-1111-2222-3333-444455556666#0', true],
    ['0f1e2d3c-1111-2222-3333-444455556666#19', true],
  ])('%s → %s', (id, synthetic) => {
    expect(isSyntheticId(id)).toBe(synthetic);
  });
});

describe('checkChurn', () => {
  /** n launches i-<prefix>-0..n-1, one per `stepMs`, the newest `newestAgoMs` before NOW. */
  function launches(prefix: string, n: number, stepMs: number, newestAgoMs = 0): WindowLaunch[] {
    return Array.from({ length: n }, (_, k) => ({
      instanceId: `i-${prefix}-${k}`,
      time: NOW - newestAgoMs - (n - 1 - k) * stepMs,
    }));
  }

  it('blocks a scale-out of 40 in-service instances', () => {
    // Prepare
    const window = launches('scale', 40, 1_000, 5 * MIN);
    const instances = window.map((l) => live(l.instanceId, 'InService'));
    // Act
    const r = checkChurn({
      launches: window,
      instances,
      gracePeriodSeconds: 300,
      now: NOW,
      requiredShare: 0.5,
    });
    // Assess
    expect(r).toEqual({
      considered: 40,
      churned: 0,
      pendingInGrace: 0,
      requiredShare: 0.5,
      required: 20,
      excluded: 0,
      allows: false,
    });
  });

  it('blocks a scale-out caught while it boots, even with a grace period of 0', () => {
    // Prepare: 40 launched in the last 40 s, all still Pending
    const window = launches('boot', 40, 1_000);
    const instances = window.map((l) => live(l.instanceId, 'Pending'));
    // Act
    const r = checkChurn({
      launches: window,
      instances,
      gracePeriodSeconds: 0,
      now: NOW,
      requiredShare: 0.5,
    });
    // Assess
    expect(r.pendingInGrace).toBe(40);
    expect(r.churned).toBe(0);
    expect(r.allows).toBe(false);
  });

  it('allows a loop whose instances vanish, the newest one still pending', () => {
    // Prepare: one launch every 5 minutes; only the newest is still in the group
    const window = launches('loop', 10, 5 * MIN);
    const instances = [live('i-loop-9', 'Pending'), live('i-older-1', 'InService')];
    // Act
    const r = checkChurn({
      launches: window,
      instances,
      gracePeriodSeconds: 300,
      now: NOW,
      requiredShare: 0.5,
    });
    // Assess
    expect(r).toMatchObject({ considered: 10, churned: 9, pendingInGrace: 1, required: 5, allows: true });
  });

  it('allows a loop whose instances stay but are unhealthy or terminating', () => {
    // Prepare
    const window = launches('sick', 4, 5 * MIN, 20 * MIN);
    const instances = [
      live('i-sick-0', 'Terminating', 'Unhealthy'),
      live('i-sick-1', 'InService', 'Unhealthy'),
      live('i-sick-2', 'InService'),
      live('i-sick-3', 'InService'),
    ];
    // Act
    const r = checkChurn({
      launches: window,
      instances,
      gracePeriodSeconds: 300,
      now: NOW,
      requiredShare: 0.5,
    });
    // Assess
    expect(r).toMatchObject({ considered: 4, churned: 2, required: 2, allows: true });
  });

  it('counts an instance refresh (old instances leave, new ones stay) as no churn', () => {
    // Prepare: the window's launches are the new instances; the old ones are not in the window
    const window = launches('new', 12, 30_000, 15 * MIN);
    const instances = [
      ...window.map((l) => live(l.instanceId, 'InService')),
      live('i-old-1', 'Terminating'),
      live('i-old-2', 'Terminating'),
    ];
    // Act
    const r = checkChurn({
      launches: window,
      instances,
      gracePeriodSeconds: 300,
      now: NOW,
      requiredShare: 0.5,
    });
    // Assess
    expect(r.churned).toBe(0);
    expect(r.allows).toBe(false);
  });

  it('uses the group grace period when it is longer than the floor', () => {
    // Prepare: launched 20 minutes ago, still pending, grace 30 minutes
    const window = [{ instanceId: 'i-slow', time: NOW - 20 * MIN }];
    const instances = [live('i-slow', 'Pending:Wait')];
    // Act
    const inGrace = checkChurn({
      launches: window,
      instances,
      gracePeriodSeconds: 1800,
      now: NOW,
      requiredShare: 0.5,
    });
    const pastGrace = checkChurn({
      launches: window,
      instances,
      gracePeriodSeconds: 600,
      now: NOW,
      requiredShare: 0.5,
    });
    // Assess
    expect(inGrace).toMatchObject({ pendingInGrace: 1, churned: 0, allows: false });
    expect(pastGrace).toMatchObject({ pendingInGrace: 0, churned: 1, allows: true });
  });

  it('gives pending instances at least the floor when the grace period is 0', () => {
    // Prepare
    const justInside = [{ instanceId: 'i-a', time: NOW - PENDING_FLOOR_MS + 1_000 }];
    const atFloor = [{ instanceId: 'i-a', time: NOW - PENDING_FLOOR_MS }];
    const instances = [live('i-a', 'Pending')];
    // Act
    const inside = checkChurn({
      launches: justInside,
      instances,
      gracePeriodSeconds: 0,
      now: NOW,
      requiredShare: 1,
    });
    const at = checkChurn({
      launches: atFloor,
      instances,
      gracePeriodSeconds: 0,
      now: NOW,
      requiredShare: 1,
    });
    // Assess
    expect(inside.pendingInGrace).toBe(1);
    expect(at.churned).toBe(1);
  });

  it.each([
    // considered, churned, share, required, allows
    [10, 5, 0.5, 5, true],
    [10, 4, 0.5, 5, false],
    [9, 5, 0.5, 5, true],
    [9, 4, 0.5, 5, false],
    [10, 3, 0.3, 3, true],
    [10, 2, 0.3, 3, false],
    [3, 3, 1, 3, true],
    [3, 2, 1, 3, false],
    [1, 1, 0.5, 1, true],
    [1, 0, 0.5, 1, false],
    [7, 1, 0.01, 1, true],
  ])(
    'considered=%i churned=%i share=%s → required=%i allows=%s',
    (considered, churned, share, required, allows) => {
      // Prepare: the first `churned` launches are gone, the rest InService
      const window = launches('t', considered, MIN, 30 * MIN);
      const instances = window.slice(churned).map((l) => live(l.instanceId, 'InService'));
      // Act
      const r = checkChurn({
        launches: window,
        instances,
        gracePeriodSeconds: 300,
        now: NOW,
        requiredShare: share,
      });
      // Assess
      expect(r).toMatchObject({ considered, churned, required, allows });
    },
  );

  it('does not allow when there is nothing to consider', () => {
    // Act
    const r = checkChurn({
      launches: [],
      instances: [],
      gracePeriodSeconds: 300,
      now: NOW,
      requiredShare: 0.5,
    });
    // Assess
    expect(r).toMatchObject({ considered: 0, churned: 0, excluded: 0, allows: false });
  });

  it('leaves synthetic ids out of the considered launches', () => {
    // Prepare: 20 stand-ins of a cut record, 2 real launches that vanished
    const synthetic = Array.from({ length: 20 }, (_, n) => ({
      instanceId: `3f2a-evt#${n}`,
      time: NOW - 10 * MIN,
    }));
    const real = [
      { instanceId: 'i-r1', time: NOW - 30 * MIN },
      { instanceId: 'i-r2', time: NOW - 25 * MIN },
    ];
    // Act
    const r = checkChurn({
      launches: [...synthetic, ...real],
      instances: [],
      gracePeriodSeconds: 300,
      now: NOW,
      requiredShare: 0.5,
    });
    // Assess
    expect(r).toMatchObject({ considered: 2, churned: 2, excluded: 20, allows: true });
  });

  it('does not allow when every launch is a synthetic id', () => {
    // Prepare
    const synthetic = Array.from({ length: 12 }, (_, n) => ({
      instanceId: `3f2a-evt#${n}`,
      time: NOW - MIN,
    }));
    // Act
    const r = checkChurn({
      launches: synthetic,
      instances: [],
      gracePeriodSeconds: 300,
      now: NOW,
      requiredShare: 0.5,
    });
    // Assess
    expect(r).toMatchObject({ considered: 0, excluded: 12, allows: false });
  });

  it('counts a launch passed twice once', () => {
    // Prepare
    const window = [
      { instanceId: 'i-dup', time: NOW - 20 * MIN },
      { instanceId: 'i-dup', time: NOW - 20 * MIN },
      { instanceId: 'i-ok', time: NOW - 20 * MIN },
    ];
    // Act
    const r = checkChurn({
      launches: window,
      instances: [live('i-ok', 'InService')],
      gracePeriodSeconds: 300,
      now: NOW,
      requiredShare: 0.5,
    });
    // Assess
    expect(r).toMatchObject({ considered: 2, churned: 1, allows: true });
  });
});
