import { describe, expect, it } from 'vitest';
import {
  AMI_FAMILIES,
  escapeWildcards,
  familiesMatchedBy,
  familiesMatchedByAll,
  familyById,
  familyOfImageName,
  patternsOverlap,
  patternsShareName,
  wildcardMatches,
} from '../../../lambda/core/ami-family';

const ids = (families: readonly { id: string }[]) => families.map((f) => f.id);

describe('wildcardMatches', () => {
  it.each([
    ['al2023-ami-*-x86_64', 'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64', true],
    ['al2023-ami-*-x86_64', 'al2023-ami-ecs-gpu-hvm-2023.0.20261030-kernel-6.1-x86_64-ebs', false],
    ['amzn2-ami-hvm-2.0.????????.?-x86_64-gp2', 'amzn2-ami-hvm-2.0.20240131.0-x86_64-gp2', true],
    ['amzn2-ami-hvm-2.0.????????.?-x86_64-gp2', 'amzn2-ami-hvm-2.0.2024013.0-x86_64-gp2', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['*', '', true],
    ['?', '', false],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(wildcardMatches(pattern, name)).toBe(expected);
  });
});

describe('patternsOverlap', () => {
  it.each([
    ['al2023-ami-*-x86_64', 'al2023-ami-ecs-neuron-hvm-2023.*-kernel-*-x86_64', true],
    ['al2023-ami-*-x86_64', 'al2023-ami-ecs-gpu-hvm-2023.*-kernel-*-x86_64-ebs', false],
    ['*-arm64', '*-x86_64', false],
    ['a*', '*b', true],
    ['a?c', 'a*d', false],
    ['amzn2-ami-ecs-hvm-2.0.*', 'amzn2-ami-ecs-gpu-hvm-2.0.*', false],
  ])('%s and %s overlap: %s', (a, b, expected) => {
    // Act
    const forward = patternsOverlap(a, b);
    const backward = patternsOverlap(b, a);
    // Assess
    expect(forward).toBe(expected);
    expect(backward).toBe(expected);
  });
});

describe('the catalogue', () => {
  it('keeps families pairwise disjoint, so a name has at most one family', () => {
    const clashes: string[] = [];
    for (const [n, a] of AMI_FAMILIES.entries()) {
      for (const b of AMI_FAMILIES.slice(n + 1)) {
        for (const p of a.namePatterns) {
          for (const q of b.namePatterns)
            if (patternsOverlap(p, q)) clashes.push(`${a.id} ${p} / ${b.id} ${q}`);
        }
      }
    }
    expect(clashes).toEqual([]);
  });

  it('has unique ids, a source for every family, and examples that follow its own rule', () => {
    expect(new Set(ids(AMI_FAMILIES)).size).toBe(AMI_FAMILIES.length);
    for (const family of AMI_FAMILIES) {
      expect(family.source.length, family.id).toBeGreaterThan(10);
      expect(family.examples.length, family.id).toBeGreaterThan(0);
      for (const example of family.examples) expect(familyOfImageName(example)?.id, example).toBe(family.id);
    }
  });
});

describe('familyOfImageName', () => {
  it.each([
    ['al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64', 'al2023-standard'],
    ['al2023-ami-2023.7.20250512.0-kernel-6.12-arm64', 'al2023-standard'],
    ['al2023-ami-minimal-2023.12.20261029.0-kernel-6.1-x86_64', 'al2023-minimal'],
    ['al2023-ami-ecs-hvm-2023.0.20261030-kernel-6.1-arm64', 'al2023-ecs'],
    ['al2023-ami-ecs-gpu-hvm-2023.0.20261030-kernel-6.1-x86_64-ebs', 'al2023-ecs-gpu'],
    ['al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64', 'al2023-ecs-neuron'],
    ['amazon-eks-node-al2023-arm64-standard-1.31-v20241024', 'al2023-eks'],
    ['amzn2-ami-kernel-5.10-hvm-2.0.20240131.0-x86_64-gp2', 'al2-standard'],
    ['amzn2-ami-ecs-kernel-5.10-hvm-2.0.20240221-x86_64-ebs', 'al2-ecs'],
    ['amzn2-ami-ecs-kernel-5.10-inf-hvm-2.0.20240221-x86_64-ebs', 'al2-ecs-inf'],
    ['amazon-eks-gpu-node-1.29-v20240213', 'al2-eks-gpu'],
    ['Windows_Server-2022-English-Full-ECS_Optimized-2024.01.10', 'windows-ecs'],
    ['bottlerocket-aws-k8s-1.29-nvidia-x86_64-v1.19.0-abcdef12', 'bottlerocket-k8s-nvidia'],
  ])('puts %s in %s', (name, family) => {
    expect(familyOfImageName(name)?.id).toBe(family);
  });

  it('returns undefined for a name the catalogue does not know', () => {
    expect(
      familyOfImageName('ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101'),
    ).toBeUndefined();
  });
});

describe('familiesMatchedBy', () => {
  it('finds standard, minimal and the ECS-optimized variants, Neuron among them, for the incident filter', () => {
    // Act
    const families = familiesMatchedBy('al2023-ami-*-x86_64', ['amazon']);
    // Assess: the GPU AMI's name ends in -ebs, so this filter cannot reach it.
    expect(ids(families)).toEqual(['al2023-standard', 'al2023-minimal', 'al2023-ecs', 'al2023-ecs-neuron']);
  });

  it.each([
    ['al2023-ami-2023.*-kernel-6.1-x86_64', ['amazon'], ['al2023-standard']],
    ['al2023-ami-ecs-hvm-*-x86_64', ['amazon'], ['al2023-ecs']],
    ['amzn2-ami-ecs-*', ['amazon'], ['al2-ecs', 'al2-ecs-gpu', 'al2-ecs-inf']],
    [
      'al2023-ami-*-x86_64',
      ['137112412989'],
      ['al2023-standard', 'al2023-minimal', 'al2023-ecs', 'al2023-ecs-neuron'],
    ],
    ['al2023-ami-*-x86_64', [], ['al2023-standard', 'al2023-minimal', 'al2023-ecs', 'al2023-ecs-neuron']],
    ['al2023-ami-*-x86_64', ['self'], []],
    ['al2023-ami-*-x86_64', ['123456789012'], []],
    ['my-golden-image-*', ['amazon'], []],
  ])('%s with owners %j matches %j', (pattern, owners, expected) => {
    expect(ids(familiesMatchedBy(pattern, owners))).toEqual(expected);
  });
});

describe('escapeWildcards', () => {
  it('makes a name with wildcard characters match only itself', () => {
    expect(wildcardMatches(escapeWildcards('a*?\\b'), 'a*?\\b')).toBe(true);
    expect(wildcardMatches(escapeWildcards('a*b'), 'axb')).toBe(false);
  });
});

describe('familyById', () => {
  it('finds a family by its id', () => {
    expect(familyById('al2023-ecs-neuron')?.label).toBe('Amazon Linux 2023 ECS-optimized Neuron');
    expect(familyById('nope')).toBeUndefined();
  });
});

describe('patternsShareName', () => {
  it.each([
    [['al2023-ami-*', '*-x86_64-ebs', 'al2023-ami-ecs-gpu-hvm-2023.*-kernel-*-x86_64-ebs'], true],
    [['al2023-ami-*', '*-x86_64-ebs', 'al2023-ami-ecs-neuron-hvm-2023.*-kernel-*-x86_64'], false],
    [['a*', '*b', '*c*'], true],
    [['a?', '?b', 'ab'], true],
    [['a?', '?b', 'ac'], false],
    [[], true],
  ] as const)('%j share a name: %s', (patterns, expected) => {
    expect(patternsShareName(patterns)).toBe(expected);
  });
});

describe('familiesMatchedByAll', () => {
  it('keeps the families that one name can be in while matching every pattern', () => {
    expect(ids(familiesMatchedByAll(['al2023-ami-ecs-*', '*-x86_64'], ['amazon']))).toEqual([
      'al2023-ecs',
      'al2023-ecs-neuron',
    ]);
  });
});
