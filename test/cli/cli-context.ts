import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CliContext } from '../../cli/aws-errors';

/** A CLI context for tests: captured output, Auto Scaling clients (mocked by the test), dynalite. */
export function testContext(
  dynamo: DynamoDBClient,
  options: { env?: Record<string, string>; region?: string; now?: number } = {},
): CliContext & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    env: options.env ?? {},
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    autoScaling: (region) =>
      new AutoScalingClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    dynamo: () => dynamo,
    defaultRegion: async () => options.region,
    now: () => options.now ?? Date.UTC(2025, 11, 9, 9, 0, 0),
    out: () => out,
    err: () => err,
  };
}
