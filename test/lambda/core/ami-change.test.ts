import { describe, expect, it } from 'vitest';
import {
  AMI_CHANGE,
  assessAmiChange,
  familyOf,
  newImages,
  shouldAnnounce,
  wordsAdded,
} from '../../../lambda/core/ami-change';
import { NEURON, STANDARD, STANDARD_NEXT } from './example-ami-change';

describe('familyOf', () => {
  it.each([
    ['al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64', 'al2023-standard'],
    ['al2023-ami-2023.6.20241212.0-kernel-6.12-arm64', 'al2023-standard'],
    ['al2023-ami-minimal-2023.9.20251208.0-kernel-6.1-x86_64', 'al2023-minimal'],
    ['al2023-ami-ecs-hvm-2023.0.20251209-kernel-6.1-x86_64', 'al2023-ecs'],
    ['al2023-ami-ecs-gpu-hvm-2023.0.20251209-kernel-6.1-x86_64', 'al2023-ecs-gpu'],
    ['al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64', 'al2023-ecs-neuron'],
    ['amzn2-ami-hvm-2.0.20231218.0-x86_64-gp2', 'al2-standard'],
    ['amzn2-ami-kernel-5.10-hvm-2.0.20231218.0-x86_64-gp2', 'al2-standard'],
    ['amzn2-ami-ecs-hvm-2.0.20240109-x86_64-ebs', 'al2-ecs'],
    ['amzn2-ami-ecs-inf-hvm-2.0.20240109-x86_64-ebs', 'al2-ecs-inf'],
    ['amazon-eks-node-1.29-v20240117', 'al2-eks'],
    ['amazon-eks-node-al2023-x86_64-standard-1.30-v20240807', 'al2023-eks'],
    ['Deep Learning Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023) 20240101', 'deep-learning'],
    ['Windows_Server-2022-English-Full-Base-2024.01.10', 'windows'],
    ['Windows_Server-2019-English-Full-ECS_Optimized-2024.01.10', 'windows-ecs'],
    ['bottlerocket-aws-ecs-2-x86_64-v1.19.0-a1b2c3d4', 'bottlerocket-ecs'],
    ['my-app-2025-12-01', undefined],
    ['amzn2-ami-minimal-hvm-2.0.20231218.0-x86_64-ebs', 'al2-minimal'],
    // The shared catalogue (ami-family.ts) names families finer than the alert's own rules did.
  ])('%s is %s', (name, family) => {
    expect(familyOf(name)).toBe(family);
  });
});

describe('newImages', () => {
  it('finds the AMI a launch added to a group with history', () => {
    expect(newImages(['ami-a'], ['ami-a', 'ami-b'])).toEqual({ added: ['ami-b'], previous: ['ami-a'] });
  });

  it.each([
    { before: [], after: ['ami-a'], why: 'a group with no history' },
    { before: ['ami-a', 'ami-b'], after: ['ami-a', 'ami-b'], why: 'an AMI already in the history' },
  ])('finds nothing for $why', ({ before, after }) => {
    expect(newImages(before, after)).toBeUndefined();
  });
});

describe('assessAmiChange', () => {
  it('calls standard → ECS Neuron a family change, likely unintended', () => {
    // Act
    const a = assessAmiChange(NEURON, [STANDARD]);
    // Assess
    expect(a).toMatchObject({
      change: AMI_CHANGE.familyChange,
      severity: 'high',
      before: { imageId: STANDARD.imageId, family: 'al2023-standard' },
      after: { imageId: NEURON.imageId, family: 'al2023-ecs-neuron' },
      wordsAdded: ['ecs', 'neuron', 'hvm'],
    });
  });

  it('calls a newer release of the same family routine', () => {
    const a = assessAmiChange(STANDARD_NEXT, [STANDARD]);
    expect(a).toMatchObject({ change: AMI_CHANGE.routine, severity: 'low', wordsAdded: [] });
  });

  it('cannot tell when the new image could not be described', () => {
    const a = assessAmiChange({ imageId: NEURON.imageId }, [STANDARD]);
    expect(a).toMatchObject({
      change: AMI_CHANGE.unknown,
      severity: 'medium',
      after: { imageId: NEURON.imageId },
    });
  });

  it("treats the next build of an organisation's own image series as routine, another series as a change", () => {
    const own = (id: string, name: string) => ({ imageId: id, name, ownerId: '123456789012' });
    expect(
      assessAmiChange(own('ami-2', 'my-app-2025-12-08'), [own('ami-1', 'my-app-2025-12-01')]).change,
    ).toBe(AMI_CHANGE.routine);
    expect(
      assessAmiChange(own('ami-3', 'my-app-gpu-2025-12-08'), [own('ami-1', 'my-app-2025-12-01')]).change,
    ).toBe(AMI_CHANGE.familyChange);
  });

  it('compares with the earlier AMI of the same architecture, the newest first, and lists the others', () => {
    // Prepare
    const arm = {
      ...STANDARD,
      imageId: 'ami-arm',
      architecture: 'arm64',
      creationDate: '2025-12-20T00:00:00Z',
    };
    const older = { ...STANDARD, imageId: 'ami-older', creationDate: '2025-11-01T00:00:00Z' };
    // Act
    const a = assessAmiChange(NEURON, [older, arm, STANDARD]);
    // Assess
    expect(a.before.imageId).toBe(STANDARD.imageId);
    expect([...a.otherPrevious].sort()).toEqual(['ami-arm', 'ami-older']);
  });

  it('is routine when the new family is one of several the group already uses', () => {
    const a = assessAmiChange(STANDARD_NEXT, [NEURON, STANDARD]);
    expect(a.change).toBe(AMI_CHANGE.routine);
  });
});

describe('shouldAnnounce', () => {
  it.each([
    ['family', 'family-change', true],
    ['family', 'unknown', true],
    ['family', 'routine', false],
    ['all', 'routine', true],
    ['off', 'family-change', false],
  ] as const)('%s announces %s: %s', (mode, change, expected) => {
    expect(shouldAnnounce(mode, change)).toBe(expected);
  });
});

describe('wordsAdded', () => {
  it('lists the new words, not the version numbers', () => {
    expect(wordsAdded(STANDARD.name, NEURON.name)).toEqual(['ecs', 'neuron', 'hvm']);
    expect(wordsAdded(undefined, NEURON.name)).toEqual([]);
  });
});
