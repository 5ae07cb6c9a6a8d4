import { execFileSync, spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2ImageFinder } from '../../../cli/check-ami-lookups/ec2-images';
import { type CheckContext, runCheck } from '../../../cli/check-ami-lookups/main';

const ROOT = join(__dirname, '..', '..', '..');
const TF = relative(process.cwd(), join(ROOT, 'test', 'fixtures', 'terraform'));

const ec2 = mockClient(EC2Client);

function context(): CheckContext & {
  out: () => string;
  err: () => string;
  regions: Array<string | undefined>;
} {
  let out = '';
  let err = '';
  const regions: Array<string | undefined> = [];
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    imageFinder: (region) => {
      regions.push(region);
      return new Ec2ImageFinder(
        new EC2Client({
          region: region ?? 'us-east-1',
          credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        }),
      );
    },
    out: () => out,
    err: () => err,
    regions,
  };
}

/** The newest ECS Neuron image as DescribeImages lists it. */
const NEURON_IMAGE = {
  ImageId: 'ami-0d136904eaba14b45',
  Name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
  CreationDate: '2025-12-09T20:00:00.000Z',
};

describe('runCheck', () => {
  beforeEach(() => {
    ec2.reset();
  });

  it('reports the incident lookup as JSON with the stable shape, and exits 1', async () => {
    // Prepare
    const ctx = context();
    // Act
    const code = await runCheck(['--format', 'json', join(TF, 'incident')], ctx);
    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(ctx.out())).toEqual({
      findings: [
        {
          file: join(TF, 'incident', 'main.tf'),
          line: 12,
          address: 'data.aws_ami.amazon_linux',
          nameFilters: ['al2023-ami-*-x86_64'],
          owners: ['amazon'],
          families: ['al2023-standard', 'al2023-minimal', 'al2023-ecs', 'al2023-ecs-neuron'],
        },
      ],
    });
    expect(ctx.out().trim().split('\n')).toHaveLength(1);
    expect(ctx.err()).toBe('check-ami-lookups: 1 files, 1 most_recent AMI lookups: 1 finding\n');
  });

  it('prints each finding as text with its families and the fix', async () => {
    // Prepare
    const ctx = context();
    // Act
    const code = await runCheck([join(TF, 'incident', 'main.tf')], ctx);
    // Assess
    expect(code).toBe(1);
    const text = ctx.out();
    expect(text).toContain(
      `${join(TF, 'incident', 'main.tf')}:12: data.aws_ami.amazon_linux can return 4 AMI families`,
    );
    expect(text).toContain('  name filter: al2023-ami-*-x86_64\n  owners:      amazon\n');
    expect(text).toContain('  - al2023-ecs-neuron        Amazon Linux 2023 ECS-optimized Neuron\n');
    expect(text).toContain(
      'al2023-standard      al2023-ami-2023.*-kernel-*-x86_64   or /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    );
    expect(text).toContain('or a pinned AMI id');
  });

  it('exits 0 with no finding for narrow, pinned, regex-narrowed and own-image lookups', async () => {
    // Prepare
    const ctx = context();
    // Act
    const code = await runCheck(['--format=json', join(TF, 'narrow')], ctx);
    // Assess
    expect(code).toBe(0);
    expect(ctx.out()).toBe('{"findings":[]}\n');
    expect(ctx.err()).toBe('check-ami-lookups: 1 files, 5 most_recent AMI lookups: 0 findings\n');
  });

  it('covers modules, for_each, dynamic filters and filters in variables, and warns about what it cannot resolve', async () => {
    // Prepare
    const ctx = context();
    // Act
    const code = await runCheck(
      [
        '--format',
        'json',
        join(TF, 'project'),
        join(TF, 'for-each'),
        join(TF, 'variables'),
        join(TF, 'unresolved'),
      ],
      ctx,
    );
    // Assess
    expect(code).toBe(1);
    const findings = (JSON.parse(ctx.out()) as { findings: Array<{ address: string; families: string[] }> })
      .findings;
    expect(findings.map((f) => [f.address, f.families])).toEqual([
      ['data.aws_ami.by_flavour["ecs"]', ['al2023-ecs', 'al2023-ecs-gpu', 'al2023-ecs-neuron']],
      ['data.aws_ami.per_arch', ['al2-standard', 'al2-minimal', 'al2-ecs', 'al2-ecs-gpu', 'al2-ecs-inf']],
      ['data.aws_ami.dynamic_filters', ['al2023-standard', 'al2023-minimal', 'al2023-ecs']],
      [
        'module.ami.data.aws_ami.this',
        ['al2023-standard', 'al2023-minimal', 'al2023-ecs', 'al2023-ecs-gpu', 'al2023-ecs-neuron'],
      ],
      ['module.gpu_host.data.aws_ami.host', ['al2023-ecs', 'al2023-ecs-gpu', 'al2023-ecs-neuron']],
      ['data.aws_ami.host', ['al2023-standard', 'al2023-minimal', 'al2023-ecs', 'al2023-ecs-neuron']],
      ['data.aws_ami.legacy_ecs', ['al2-ecs', 'al2-ecs-gpu', 'al2-ecs-inf']],
    ]);
    expect(ctx.err()).toBe(
      [
        `check-ami-lookups: warning: ${join(TF, 'unresolved', 'main.tf')}:5: data.aws_ami.from_ssm not checked: filter "name" values: \${data.aws_ssm_parameter.pattern.value} is known only at plan time`,
        'check-ami-lookups: 7 files, 9 most_recent AMI lookups, 1 not checked: 7 findings',
        '',
      ].join('\n'),
    );
  });

  it('exits 2 naming the file, the line and what was expected for a parse error', async () => {
    // Prepare
    const ctx = context();
    // Act
    const code = await runCheck([join(TF, 'narrow'), join(TF, 'parse-error')], ctx);
    // Assess
    expect(code).toBe(2);
    expect(ctx.out()).toBe('');
    expect(ctx.err()).toBe(
      `check-ami-lookups: ${join(TF, 'parse-error', 'main.tf')}:4:3: Missing item separator: Expected a comma to mark the beginning of the next item.\n`,
    );
  });

  it.each([
    [['--format', 'yaml', 'x'], '--format must be text or json, not "yaml"'],
    [[], 'no PATH given (a .tf file or a folder)'],
    [['--bogus', 'x'], 'unknown flag --bogus'],
    [['--region', 'eu-west-1', 'x'], '--region is used only with --online'],
  ])('exits 2 for the usage error in %j', async (argv, message) => {
    // Prepare
    const ctx = context();
    // Act
    const code = await runCheck(argv, ctx);
    // Assess
    expect(code).toBe(2);
    expect(ctx.err()).toBe(
      `check-ami-lookups: ${message}\nusage: check-ami-lookups [--format text|json] [--online [--region R]] PATH...\n`,
    );
  });

  it('exits 2 naming a path that cannot be read', async () => {
    // Prepare
    const ctx = context();
    // Act
    const code = await runCheck([join(TF, 'missing.tf')], ctx);
    // Assess
    expect(code).toBe(2);
    expect(ctx.err()).toBe(`check-ami-lookups: cannot read ${join(TF, 'missing.tf')}: ENOENT\n`);
  });

  it('asks EC2 online and shows the newest image of each family', async () => {
    // Prepare
    ec2.on(DescribeImagesCommand).resolves({
      Images: [
        {
          ImageId: 'ami-0aaa',
          Name: 'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
          CreationDate: '2025-12-08T18:00:00.000Z',
        },
        NEURON_IMAGE,
      ],
    });
    const ctx = context();
    // Act
    const code = await runCheck(
      ['--online', '--region', 'eu-west-1', '--format', 'json', join(TF, 'incident')],
      ctx,
    );
    // Assess
    expect(code).toBe(1);
    expect(ctx.regions).toEqual(['eu-west-1']);
    expect(ec2).toHaveReceivedCommandWith(DescribeImagesCommand, {
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-*-x86_64'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
    });
    const [finding] = (JSON.parse(ctx.out()) as { findings: Array<Record<string, unknown>> }).findings;
    expect(finding?.['newestImages']).toEqual([
      {
        family: 'al2023-standard',
        imageId: 'ami-0aaa',
        name: 'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
        creationDate: '2025-12-08T18:00:00.000Z',
        matches: 1,
      },
      {
        family: 'al2023-ecs-neuron',
        imageId: 'ami-0d136904eaba14b45',
        name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
        creationDate: '2025-12-09T20:00:00.000Z',
        matches: 1,
      },
    ]);
  });

  it('prints the newest image of each family in the text output online', async () => {
    // Prepare
    ec2.on(DescribeImagesCommand).resolves({
      Images: [NEURON_IMAGE],
    });
    const ctx = context();
    // Act
    const code = await runCheck(['--online', join(TF, 'incident')], ctx);
    // Assess
    expect(code).toBe(1);
    expect(ctx.regions).toEqual([undefined]);
    expect(ctx.out()).toContain(
      '  newest image of each family (DescribeImages):\n' +
        '  - al2023-ecs-neuron        ami-0d136904eaba14b45  al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64  2025-12-09T20:00:00.000Z  (1 matching)\n',
    );
  });

  it('exits 2 with one line when EC2 cannot be asked', async () => {
    // Prepare
    ec2.on(DescribeImagesCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const ctx = context();
    // Act
    const code = await runCheck(['--online', join(TF, 'incident')], ctx);
    // Assess
    expect(code).toBe(2);
    expect(ctx.err()).toBe(
      'check-ami-lookups: DescribeImages failed for data.aws_ami.amazon_linux: no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run `aws sso login`\n',
    );
  });

  it('prints its help and exits 0', async () => {
    // Prepare
    const ctx = context();
    // Act
    const code = await runCheck(['--help'], ctx);
    // Assess
    expect(code).toBe(0);
    expect(ctx.out()).toMatch(
      /^usage: check-ami-lookups \[--format text\|json\] \[--online \[--region R\]\] PATH\.\.\./,
    );
    expect(ctx.out()).toContain('Exit status: 0 no finding, 1 findings, 2 usage error');
  });
});

describe('bin/cli.ts check-ami-lookups', () => {
  const cli = [
    join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    join(ROOT, 'bin', 'cli.ts'),
    'check-ami-lookups',
  ];

  it('runs from the command table with its help', () => {
    const out = execFileSync(process.execPath, [...cli, '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/^usage: check-ami-lookups /);
  });

  it('exits 1 on findings and 0 when clean, as CI needs', () => {
    const risky = spawnSync(
      process.execPath,
      [...cli, join(ROOT, 'test', 'fixtures', 'terraform', 'incident')],
      { encoding: 'utf8' },
    );
    const clean = spawnSync(
      process.execPath,
      [...cli, join(ROOT, 'test', 'fixtures', 'terraform', 'narrow')],
      { encoding: 'utf8' },
    );
    expect([risky.status, clean.status]).toEqual([1, 0]);
  });
});
