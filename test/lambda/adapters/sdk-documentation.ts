/**
 * What the installed SDK's own service documentation says about a command: the documented
 * range of a page-size member, and whether the package ships a paginator for it (read by
 * ./page-limits.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const requireFromHere = createRequire(__filename);

/** The SDK package of each client, where its service documentation ships. */
export const PACKAGE_OF = {
  AutoScaling: '@aws-sdk/client-auto-scaling',
  DynamoDB: '@aws-sdk/client-dynamodb',
  EC2: '@aws-sdk/client-ec2',
  SNS: '@aws-sdk/client-sns',
  Scheduler: '@aws-sdk/client-scheduler',
  ECS: '@aws-sdk/client-ecs',
  SQS: '@aws-sdk/client-sqs',
  STS: '@aws-sdk/client-sts',
  IAM: '@aws-sdk/client-iam',
  Organizations: '@aws-sdk/client-organizations',
  Pricing: '@aws-sdk/client-pricing',
  SecretsManager: '@aws-sdk/client-secrets-manager',
} as const;
export type Service = keyof typeof PACKAGE_OF;

function packageDir(pkg: string): string {
  return path.dirname(requireFromHere.resolve(`${pkg}/package.json`));
}

const modelText = new Map<string, string>();
function modelsOf(pkg: string): string {
  let text = modelText.get(pkg);
  if (text === undefined) {
    const dir = path.join(packageDir(pkg), 'dist-types', 'models');
    text = readdirSync(dir)
      .filter((f) => f.endsWith('.d.ts'))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    modelText.set(pkg, text);
  }
  return text;
}

/** The documented [min, max] of a page-size member, from the SDK's TSDoc, else undefined. */
export function sdkLimit(
  pkg: string,
  command: string,
  field: string,
): { min: number; max: number } | undefined {
  const commandDts = readFileSync(
    path.join(packageDir(pkg), 'dist-types', 'commands', `${command}.d.ts`),
    'utf8',
  );
  const base = new RegExp(`export interface ${command}Input extends (\\w+)`).exec(commandDts)?.[1];
  if (base === undefined) return undefined;
  const models = modelsOf(pkg);
  const start = models.indexOf(`export interface ${base} {`);
  if (start < 0) return undefined;
  const body = models.slice(start, models.indexOf('\n}\n', start));
  const member = body.indexOf(`    ${field}?:`);
  if (member < 0) return undefined;
  // The member's TSDoc as one line of text: no comment stars, no HTML tags.
  const doc = body
    .slice(body.lastIndexOf('/**', member), member)
    .replace(/\n\s*\*\/?/g, ' ')
    .replace(/<[^>]+>/g, '');
  const max = /maximum value is\s*(\d+)/i.exec(doc);
  if (max) return { min: 1, max: Number(max[1]) };
  const between = /between\s+(\d+)\s+and\s+(\d+)/i.exec(doc);
  if (between) return { min: Number(between[1]), max: Number(between[2]) };
  const range = /valid range:?\s*(\d+)\s*[-–]\s*(\d+)/i.exec(doc);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  return undefined;
}

/** True when the package ships a paginator for the command. */
export function isPaginated(pkg: string, command: string): boolean {
  const mod = requireFromHere(pkg) as Record<string, unknown>;
  return typeof mod[`paginate${command.replace(/Command$/, '')}`] === 'function';
}
