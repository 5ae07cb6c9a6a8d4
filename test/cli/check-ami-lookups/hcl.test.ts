import { describe, expect, it } from 'vitest';
import { blockLines, parseTerraform, TerraformParseError } from '../../../cli/check-ami-lookups/hcl';

describe('parseTerraform', () => {
  it('gives the JSON form of a file', async () => {
    // Act
    const json = await parseTerraform('main.tf', 'data "aws_ami" "x" {\n  most_recent = true\n}\n');
    // Assess
    expect(json).toEqual({ data: { aws_ami: { x: [{ most_recent: true }] } } });
  });

  it('names the file, the line and what was expected when the file does not parse', async () => {
    // Prepare
    const text = 'data "aws_ami" "x" {\n  most_recent = true\n  owners = ["amazon"\n  filter {\n  }\n}\n';
    // Act
    const error = await parseTerraform('dir/main.tf', text).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(TerraformParseError);
    expect((error as TerraformParseError).line).toBe(4);
    expect((error as Error).message).toBe(
      'dir/main.tf:4:3: Missing item separator: Expected a comma to mark the beginning of the next item.',
    );
  });
});

describe('blockLines', () => {
  it('finds top-level block headers and skips comments, strings and heredocs', () => {
    // Prepare
    const text = [
      '# data "aws_ami" "comment" {',
      '/* data "aws_ami" "block_comment" {',
      '*/',
      'locals {',
      '  x = "data \\"aws_ami\\" \\"in_string\\" {"',
      '  y = <<-EOT',
      '    data "aws_ami" "in_heredoc" {',
      '  EOT',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform text, not a JavaScript template
      '  z = "${join("}", ["{"])}"',
      '}',
      '',
      'data "aws_ami" "real" {',
      '  filter {',
      '    name = "name"',
      '  }',
      '}',
      'module "ami" {',
      '  source = "./ami"',
      '}',
    ].join('\n');
    // Act
    const lines = blockLines(text);
    // Assess
    expect([...lines]).toEqual([
      ['locals', 4],
      ['data.aws_ami.real', 12],
      ['module.ami', 17],
    ]);
  });

  it('counts lines the same in a file with CRLF line ends', () => {
    // Prepare
    const text = [
      'locals {',
      '  y = <<EOT',
      'data "aws_ami" "in_heredoc" {',
      'EOT',
      '}',
      'data "aws_ami" "real" {',
      '}',
    ].join('\r\n');
    // Act & Assess
    expect([...blockLines(text)]).toEqual([
      ['locals', 1],
      ['data.aws_ami.real', 6],
    ]);
  });
});
