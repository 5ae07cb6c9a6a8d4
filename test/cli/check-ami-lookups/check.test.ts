import { describe, expect, it } from 'vitest';
import {
  checkLookup,
  familiesOfLookup,
  fixesFor,
  newestByFamily,
} from '../../../cli/check-ami-lookups/check';
import type { AmiFilter, AmiLookup } from '../../../cli/check-ami-lookups/lookups';

function lookup(filters: AmiFilter[], more: Partial<AmiLookup> = {}): AmiLookup {
  return {
    file: 'main.tf',
    line: 3,
    address: 'data.aws_ami.amazon_linux',
    owners: ['amazon'],
    filters,
    includeDeprecated: false,
    executableUsers: [],
    ...more,
  };
}

const name = (...values: string[]): AmiFilter => ({ name: 'name', values });
const ids = (families: readonly { id: string }[]) => families.map((f) => f.id);

describe('familiesOfLookup', () => {
  it.each([
    [
      'the incident filter',
      [name('al2023-ami-*-x86_64')],
      {},
      ['al2023-standard', 'al2023-minimal', 'al2023-ecs', 'al2023-ecs-neuron'],
    ],
    ['a narrow filter', [name('al2023-ami-2023.*-kernel-6.1-x86_64')], {}, ['al2023-standard']],
    [
      'two values (OR)',
      [name('al2023-ami-2023.*', 'amzn2-ami-hvm-*')],
      {},
      ['al2023-standard', 'al2-standard'],
    ],
    ['two name filters (AND)', [name('al2023-ami-*'), name('*-x86_64-ebs')], {}, ['al2023-ecs-gpu']],
    [
      'an architecture filter',
      [name('al2023-ami-*'), { name: 'architecture', values: ['arm64'] }],
      {},
      ['al2023-standard', 'al2023-minimal', 'al2023-ecs'],
    ],
    ['an image-id filter (pinned)', [name('al2023-ami-*'), { name: 'image-id', values: ['ami-1'] }], {}, []],
    [
      'owners from an owner-alias filter',
      [name('al2023-ami-ecs-*'), { name: 'owner-alias', values: ['amazon'] }],
      { owners: [] },
      ['al2023-ecs', 'al2023-ecs-gpu', 'al2023-ecs-neuron'],
    ],
    ['our own images', [name('al2023-ami-*')], { owners: ['self'] }, []],
    [
      'name_regex narrowing through the example names',
      [name('al2023-ami-*-x86_64')],
      { nameRegex: '^al2023-ami-2023\\.' },
      ['al2023-standard'],
    ],
  ] as const)('%s', (_, filters, more, expected) => {
    expect(ids(familiesOfLookup(lookup([...filters], more)))).toEqual(expected);
  });
});

describe('checkLookup', () => {
  it('reports a lookup that can return several families, with the JSON fields', () => {
    // Act
    const finding = checkLookup(
      lookup([name('al2023-ami-*-x86_64'), { name: 'architecture', values: ['x86_64'] }]),
    );
    // Assess
    expect(finding).toEqual({
      file: 'main.tf',
      line: 3,
      address: 'data.aws_ami.amazon_linux',
      nameFilters: ['al2023-ami-*-x86_64'],
      owners: ['amazon'],
      families: ['al2023-standard', 'al2023-minimal', 'al2023-ecs', 'al2023-ecs-neuron'],
    });
  });

  it('says nothing about a lookup of one family', () => {
    expect(checkLookup(lookup([name('al2023-ami-ecs-neuron-hvm-*')]))).toBeUndefined();
  });

  it('adds the families of real images online, with the newest of each', () => {
    // Prepare: a filter the catalogue thinks narrow, and a real image it does not know.
    const images = [
      {
        imageId: 'ami-1',
        name: 'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
        creationDate: '2025-12-08T00:00:00.000Z',
      },
      {
        imageId: 'ami-2',
        name: 'al2023-ami-2023.9.20251215.0-kernel-6.1-x86_64',
        creationDate: '2025-12-15T00:00:00.000Z',
      },
      {
        imageId: 'ami-3',
        name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
        creationDate: '2025-12-09T00:00:00.000Z',
      },
      { imageId: 'ami-4', name: 'al2023-ami-custom-x86_64', creationDate: '2025-12-01T00:00:00.000Z' },
    ];
    // Act
    const finding = checkLookup(lookup([name('al2023-ami-2023.*')]), images);
    // Assess
    expect(finding?.families).toEqual(['al2023-standard', 'al2023-ecs-neuron']);
    expect(finding?.newestImages).toEqual([
      {
        family: 'al2023-standard',
        imageId: 'ami-2',
        name: images[1]!.name,
        creationDate: images[1]!.creationDate,
        matches: 2,
      },
      {
        family: 'al2023-ecs-neuron',
        imageId: 'ami-3',
        name: images[2]!.name,
        creationDate: images[2]!.creationDate,
        matches: 1,
      },
      {
        family: 'unknown',
        imageId: 'ami-4',
        name: images[3]!.name,
        creationDate: images[3]!.creationDate,
        matches: 1,
      },
    ]);
  });

  it('keeps the offline families when EC2 returns only one of them today', () => {
    // Prepare: the Neuron AMI may not exist in this region yet; the filter can still reach it later.
    const images = [
      {
        imageId: 'ami-1',
        name: 'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
        creationDate: '2025-12-08',
      },
    ];
    // Act
    const finding = checkLookup(lookup([name('al2023-ami-*-x86_64')]), images);
    // Assess
    expect(finding?.families).toEqual([
      'al2023-standard',
      'al2023-minimal',
      'al2023-ecs',
      'al2023-ecs-neuron',
    ]);
    expect(finding?.newestImages?.map((n) => n.family)).toEqual(['al2023-standard']);
  });
});

describe('newestByFamily', () => {
  it('returns nothing for no images', () => {
    expect(newestByFamily([])).toEqual([]);
  });
});

describe('fixesFor', () => {
  it('offers each family its own pattern and SSM parameter, for the architecture of the filter', () => {
    // Act
    const fixes = fixesFor(lookup([name('al2023-ami-*-arm64')]), ['al2023-standard', 'al2023-ecs']);
    // Assess
    expect(fixes.map((f) => [f.family.id, f.pattern, f.ssmParameter])).toEqual([
      [
        'al2023-standard',
        'al2023-ami-2023.*-kernel-*-arm64',
        '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
      ],
      [
        'al2023-ecs',
        'al2023-ami-ecs-hvm-2023.*-kernel-*-arm64',
        '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id',
      ],
    ]);
  });

  it('offers the x86_64 SSM parameter for an x86_64 filter', () => {
    const [fix] = fixesFor(lookup([name('al2023-ami-*-x86_64')]), ['al2023-standard']);
    expect(fix?.ssmParameter).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
  });
});
