import { describe, expect, it } from 'vitest';
import { amiEvidence, amiEvidenceLines, amiFailureLines } from '../../../lambda/core/ami-evidence';

const HOUR_S = 3600;
const POLICY = { threshold: 50, windowMs: HOUR_S * 1000 };

function ids(n: number, t0: number): Map<string, number> {
  return new Map(Array.from({ length: n }, (_, i) => [`i-${String(i).padStart(17, '0')}`, t0 + i]));
}

describe('amiEvidence', () => {
  it("counts the AMI's window and names the groups that launched it in it", () => {
    // Prepare: 54 launches; one group launched it only before the window
    const groups = new Map([
      ['storm', 10_000 + 53],
      ['web', 10_000 + 10],
      ['old', 10_000 - 2 * HOUR_S],
    ]);
    // Act
    const e = amiEvidence('ami-0a1b2c3d4e5f60718', ids(54, 10_000), undefined, groups, POLICY);
    // Assess
    expect(e).toEqual({
      imageId: 'ami-0a1b2c3d4e5f60718',
      launches: 54,
      launchesAtLeast: false,
      threshold: 50,
      windowMs: HOUR_S * 1000,
      groups: ['storm', 'web'],
    });
  });

  it('says when the store keeps only part of the window', () => {
    const e = amiEvidence('ami-1', ids(58, 10_000), 10_000 - 5, new Map(), POLICY);
    expect(e?.launchesAtLeast).toBe(true);
  });

  it('has nothing to say about an AMI without launches', () => {
    expect(amiEvidence('ami-1', new Map(), undefined, new Map(), POLICY)).toBeUndefined();
  });
});

describe('amiEvidenceLines', () => {
  it('says the group alert stands for the AMI, and which other groups launched it', () => {
    // Prepare
    const e = { imageId: 'ami-1', launches: 54, launchesAtLeast: false, threshold: 50, windowMs: 3_600_000 };
    // Act
    const [alone] = amiEvidenceLines([{ ...e, groups: ['storm'] }], 'storm');
    const [shared] = amiEvidenceLines([{ ...e, groups: ['storm', 'web'] }], 'storm');
    // Assess
    expect(alone).toBe(
      "AMI ami-1: 54 launches in 1h (at or over the AMI threshold of 50), all by this group. This alert stands for the AMI's: the AMI scope sends no alert of its own for launches a group alert covers.",
    );
    expect(shared).toContain('by this group and 1 other (web)');
  });

  it('writes no line without evidence', () => {
    expect(amiEvidenceLines(undefined, 'g')).toEqual([]);
  });
});

describe('amiFailureLines', () => {
  it('says where the failures are, which groups page on their own, and how a launch outside any group is judged', () => {
    // Act
    const lines = amiFailureLines({
      failingGroups: ['a', 'b'],
      ungroupedFailed: 25,
      coveredBy: ['storm'],
      ungroupedDeadlineMs: 600_000,
    });
    // Assess
    expect(lines).toEqual([
      'Failed launches of the AMI: in groups a, b; 25 outside any Auto Scaling group.',
      'Left to their own alerts (not counted here): storm.',
      'A launch outside any group counts as failed when it is not running with both status checks ok 10m after launch, or stopped or ended before then.',
    ]);
  });

  it('names one group alone, and nothing else when nothing else applies', () => {
    expect(
      amiFailureLines({
        failingGroups: ['a'],
        ungroupedFailed: 0,
        coveredBy: [],
        ungroupedDeadlineMs: 600_000,
      }),
    ).toEqual(['Failed launches of the AMI: in group a.']);
    expect(amiFailureLines(undefined)).toEqual([]);
  });
});
