import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TerraformParseError } from '../../../cli/check-ami-lookups/hcl';
import { InputError, scanPaths } from '../../../cli/check-ami-lookups/lookups';
import { incidentLookup } from './incident-lookup';

/** The Terraform fixtures, as a path relative to the working directory (as a user would type it). */
const TF = relative(process.cwd(), join(__dirname, '..', '..', 'fixtures', 'terraform'));

const nameValues = (l: { filters: readonly { name: string; values: readonly string[] }[] }) =>
  l.filters.filter((f) => f.name === 'name').flatMap((f) => f.values);

describe('scanPaths', () => {
  it('reads a lookup with its file, line, address, owners and filters', async () => {
    // Act
    const scan = await scanPaths([join(TF, 'incident')]);
    // Assess
    expect(scan.files).toBe(1);
    expect(scan.lookups).toEqual([incidentLookup(join(TF, 'incident', 'main.tf'))]);
    expect(scan.unchecked).toEqual([]);
  });

  it('resolves variable defaults and locals from the other files of the module', async () => {
    // Act
    const scan = await scanPaths([join(TF, 'variables', 'main.tf')]);
    // Assess: only main.tf is reported, variables.tf supplies the values.
    expect(scan.files).toBe(1);
    expect(scan.lookups.map((l) => [l.address, l.owners, nameValues(l)])).toEqual([
      ['data.aws_ami.host', ['amazon'], ['al2023-ami-*-x86_64']],
      ['data.aws_ami.legacy_ecs', ['amazon'], ['amzn2-ami-ecs-*-x86_64-ebs']],
    ]);
  });

  it('expands for_each when the filters use each.value, and keeps one lookup when they do not', async () => {
    // Act
    const scan = await scanPaths([join(TF, 'for-each')]);
    // Assess
    expect(scan.lookups.map((l) => [l.address, nameValues(l)])).toEqual([
      ['data.aws_ami.by_flavour["ecs"]', ['al2023-ami-ecs-*']],
      ['data.aws_ami.by_flavour["standard"]', ['al2023-ami-2023.*-kernel-6.1-x86_64']],
      ['data.aws_ami.per_arch', ['amzn2-ami-*-x86_64-*']],
      ['data.aws_ami.dynamic_filters', ['al2023-ami-*']],
    ]);
    expect(scan.lookups.at(-1)?.filters).toEqual([
      { name: 'architecture', values: ['arm64'] },
      { name: 'name', values: ['al2023-ami-*'] },
    ]);
  });

  it('reads folders recursively, modules included, and skips lookups without most_recent', async () => {
    // Act
    const project = await scanPaths([join(TF, 'project')]);
    const narrow = await scanPaths([join(TF, 'narrow')]);
    // Assess
    expect(project.files).toBe(3);
    expect(narrow.lookups.map((l) => l.address)).not.toContain('data.aws_ami.not_most_recent');
    expect(narrow.lookups.find((l) => l.address === 'data.aws_ami.with_regex')?.nameRegex).toBe(
      '^al2023-ami-2023\\.\\d+\\.\\d+\\.\\d+-kernel-6\\.1-x86_64$',
    );
  });

  it('checks a local module once per call, with the arguments of the call', async () => {
    // Act
    const scan = await scanPaths([join(TF, 'project')]);
    // Assess
    expect(scan.lookups.map((l) => [l.file, l.line, l.address, nameValues(l)])).toEqual([
      [
        join(TF, 'project', 'modules', 'ami', 'main.tf'),
        6,
        'module.ami.data.aws_ami.this',
        ['al2023-ami-*-kernel-6.1-*'],
      ],
      [
        join(TF, 'project', 'modules', 'ecs-host', 'main.tf'),
        7,
        'module.ecs_host.data.aws_ami.host',
        ['al2023-ami-ecs-hvm-*'],
      ],
      [
        join(TF, 'project', 'modules', 'ecs-host', 'main.tf'),
        7,
        'module.gpu_host.data.aws_ami.host',
        ['al2023-ami-ecs-*'],
      ],
    ]);
    expect(scan.unchecked).toEqual([]);
  });

  it('reports, and never guesses, a lookup whose filter depends on values the files do not hold', async () => {
    // Act: the module alone, without the configuration that calls it.
    const scan = await scanPaths([join(TF, 'project', 'modules', 'ecs-host'), join(TF, 'unresolved')]);
    // Assess
    expect(scan.lookups).toEqual([]);
    expect(scan.unchecked).toEqual([
      {
        file: join(TF, 'project', 'modules', 'ecs-host', 'main.tf'),
        line: 7,
        address: 'data.aws_ami.host',
        reason:
          'filter "name" values: variable "ami_name_pattern" has no default (its value comes from outside)',
      },
      {
        file: join(TF, 'unresolved', 'main.tf'),
        line: 5,
        address: 'data.aws_ami.from_ssm',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform text, not a JavaScript template
        reason: 'filter "name" values: ${data.aws_ssm_parameter.pattern.value} is known only at plan time',
      },
    ]);
  });

  it('resolves templates, toset() and escaped interpolation', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'tf-'));
    writeFileSync(
      join(dir, 'main.tf'),
      [
        'variable "v" {',
        '  default = "2023"',
        '}',
        'locals {',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform text, not a JavaScript template
        '  names = toset(["al2023-ami-${var.v}.*-x86_64", "literal-$${x}"])',
        '}',
        'data "aws_ami" "t" {',
        '  most_recent = "true"',
        '  owners      = ["amazon"]',
        '  include_deprecated = true',
        '  filter {',
        '    name   = "name"',
        '    values = local.names',
        '  }',
        '}',
      ].join('\n'),
    );
    // Act
    const scan = await scanPaths([dir]);
    // Assess
    expect(scan.lookups.map((l) => [nameValues(l), l.includeDeprecated])).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform text, not a JavaScript template
      [['al2023-ami-2023.*-x86_64', 'literal-${x}'], true],
    ]);
  });

  it('throws InputError naming a path that does not exist', async () => {
    await expect(scanPaths([join(TF, 'nope')])).rejects.toThrow(
      new InputError(`cannot read ${join(TF, 'nope')}: ENOENT`),
    );
  });

  it('throws TerraformParseError naming the file and the line', async () => {
    // Act
    const error = await scanPaths([join(TF, 'parse-error')]).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(TerraformParseError);
    expect((error as Error).message).toBe(
      `${join(TF, 'parse-error', 'main.tf')}:4:3: Missing item separator: Expected a comma to mark the beginning of the next item.`,
    );
  });
});
