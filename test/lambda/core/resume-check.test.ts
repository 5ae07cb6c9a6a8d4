import { describe, expect, it } from 'vitest';
import { SCALING_PROCESSES } from '../../../lambda/config';
import { decideResumeFromRecord, describeRefusal, refuseRequest } from '../../../lambda/core/resume-check';

const OWN = '123456789012';
const KNOWN = { knownProcesses: SCALING_PROCESSES };
const TAGS = { 'launch-loop-guard:suspended-at': '2025-12-09T08:10:00.000Z', team: 'ml' };
const tripped = (processes: string[], suspendedAt = '2025-12-09T08:10:00.000Z') => ({
  episode: 3,
  trippedEpisode: 3,
  tripProgress: { step: 'done' as const, processes, suspendedAt },
});

describe('refuseRequest', () => {
  it.each([
    [{ account: OWN, force: true }, 'force-refused'],
    [{ account: OWN, processes: ['Launch', 'Lunch'] }, 'unknown-process'],
    [{ account: '210987654321' }, 'other-account'],
  ])('refuses %j', (request, kind) => {
    // Act
    const refusal = refuseRequest(request, OWN, SCALING_PROCESSES);
    // Assess
    expect(refusal?.kind).toBe(kind);
    expect(describeRefusal(refusal as never).length).toBeGreaterThan(20);
  });

  it('lets a request of its own account with known processes and no force through', () => {
    expect(
      refuseRequest({ account: OWN, processes: ['Launch'], force: false }, OWN, SCALING_PROCESSES),
    ).toBeUndefined();
  });
});

describe('decideResumeFromRecord', () => {
  it('resumes the processes of the record that are still suspended, and removes only guard tags', () => {
    // Act
    const decision = decideResumeFromRecord(
      tripped(['Launch', 'ReplaceUnhealthy']),
      { tags: TAGS, suspendedProcesses: ['Launch', 'AZRebalance'] },
      KNOWN,
    );
    // Assess
    expect(decision).toEqual({
      kind: 'resume',
      processes: ['Launch'],
      tagKeys: ['launch-loop-guard:suspended-at'],
      forced: false,
    });
  });

  it.each([
    ['no item', undefined],
    ['an item of a group that never tripped', { episode: 2 }],
    ['a trip of an earlier episode (resumed since)', { ...tripped(['Launch']), episode: 4 }],
    ['a dry-run trip (nothing suspended)', tripped([])],
  ])('refuses a group with %s, whatever its tags say', (_, record) => {
    const decision = decideResumeFromRecord(record, { tags: TAGS, suspendedProcesses: ['Launch'] }, KNOWN);
    expect(decision).toEqual({
      kind: 'not-guard-suspended',
      suspendedProcesses: ['Launch'],
      basis: 'record',
    });
  });

  it('leaves a later suspension to its own resume, and reports a group gone', () => {
    const group = { tags: TAGS, suspendedProcesses: ['Launch'] };
    expect(
      decideResumeFromRecord(tripped(['Launch']), group, {
        ...KNOWN,
        expectSuspendedAt: '2025-12-09T07:00:00.000Z',
      }),
    ).toEqual({ kind: 'superseded', suspendedAt: '2025-12-09T08:10:00.000Z' });
    expect(decideResumeFromRecord(tripped(['Launch']), undefined, KNOWN)).toEqual({ kind: 'gone' });
  });

  it('never resumes a process name it does not know, even one the record holds', () => {
    const decision = decideResumeFromRecord(
      tripped(['Launch', 'SelfDestruct']),
      { tags: {}, suspendedProcesses: ['Launch', 'SelfDestruct'] },
      KNOWN,
    );
    expect(decision).toMatchObject({ kind: 'resume', processes: ['Launch'] });
  });
});
