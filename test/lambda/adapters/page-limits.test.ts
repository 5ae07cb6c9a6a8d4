/**
 * Every page size the adapters send (`MaxRecords`, `MaxResults`, `maxResults`, `Limit`) is
 * within the limit AWS documents, read from the installed SDK's own service documentation.
 *
 * The calls are discovered, not listed: each public method of each adapter runs once (a method
 * without a driver does not compile), every command sent is captured, and every `…Command` that
 * an adapter's source constructs must have been seen. AWS validates request ranges and refuses
 * the call (DescribeWarmPool with MaxRecords 100 made every warm-pool group unreadable); mocks
 * never do, hence this test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SentCommand, sendEverything, useCapturedDynamo } from './adapter-drivers';
import { isPaginated, PACKAGE_OF, sdkLimit } from './sdk-documentation';

const ROOT = path.resolve(__dirname, '../../..');

/** Page-size members, as the services spell them. */
const PAGE_FIELDS = ['MaxRecords', 'MaxResults', 'maxResults', 'Limit'] as const;

/**
 * Limits the SDK's documentation does not state in a form ./sdk-documentation.ts reads, copied
 * from the API reference (each with its page). A page-size field with neither fails the test.
 */
const API_REFERENCE_LIMITS: Readonly<Record<string, { min: number; max: number; source: string }>> = {
  // "The maximum number of container instance results that ListContainerInstances returned in
  // paginated output. … This value can be between 1 and 100."
  'ListContainerInstances.maxResults': {
    min: 1,
    max: 100,
    source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListContainerInstances.html',
  },
  // "The maximum number of items to return for this request." — Valid range: 1–1000.
  'DescribeSpotPriceHistory.MaxResults': {
    min: 1,
    max: 1000,
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotPriceHistory.html',
  },
  // "The maximum number of results to return in the response." — Valid Range: 1 to 100.
  'GetProducts.MaxResults': {
    min: 1,
    max: 100,
    source:
      'https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html',
  },
  // "The maximum number of items to evaluate" — Valid Range: Minimum value of 1; no maximum.
  'Scan.Limit': {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html',
  },
};

useCapturedDynamo();

/** Every `new XCommand(` in the adapters' sources. */
function commandsInAdapterSources(): string[] {
  const dir = path.join(ROOT, 'lambda', 'adapters');
  const found = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(path.join(dir, file), 'utf8').matchAll(/new (\w+Command)\(/g))
      found.add(m[1]!);
  }
  return [...found].sort();
}

describe('page sizes the adapters send', () => {
  let sent: SentCommand[];
  beforeAll(async () => {
    sent = await sendEverything();
  });

  it('discovers every command an adapter constructs, so a new call cannot slip past', () => {
    const seen = new Set(sent.map((s) => s.command));
    const missing = commandsInAdapterSources().filter((c) => !seen.has(c));
    expect(missing).toEqual([]);
  });

  it('finds the paginated calls, EC2 and DynamoDB included, and pages the warm pool and the group list', () => {
    const paginated = new Set(
      sent
        .filter((s) => isPaginated(PACKAGE_OF[s.service], s.command))
        .map((s) => `${s.service}.${s.command}`),
    );
    expect([...paginated].sort()).toEqual([
      'AutoScaling.DescribeAutoScalingGroupsCommand',
      'AutoScaling.DescribeScalingActivitiesCommand',
      'AutoScaling.DescribeWarmPoolCommand',
      'DynamoDB.ScanCommand',
      'EC2.DescribeImagesCommand',
      // With `InstanceIds` (at most 100, the running launches of an AMI outside any group) EC2 answers in one page.
      'EC2.DescribeInstanceStatusCommand',
      'EC2.DescribeInstancesCommand',
      'EC2.DescribeLaunchTemplateVersionsCommand',
      'EC2.DescribeSpotPriceHistoryCommand',
      'ECS.ListClustersCommand',
      'ECS.ListContainerInstancesCommand',
      'IAM.SimulatePrincipalPolicyCommand',
      // An account or OU has a single parent (Organizations API reference, ListParents): one page.
      'Organizations.ListParentsCommand',
      'Pricing.GetProductsCommand',
    ]);
    // Both loops followed NextToken to a second page.
    expect(
      sent.filter((s) => s.command === 'DescribeWarmPoolCommand' && s.input['NextToken'] === 'page-2'),
    ).toHaveLength(1);
  });

  it('keeps every page size within the limit the service documents', () => {
    const checked: string[] = [];
    const problems: string[] = [];
    for (const s of sent) {
      for (const field of PAGE_FIELDS) {
        const value = s.input[field];
        if (value === undefined) continue;
        const operation = s.command.replace(/Command$/, '');
        const limit =
          sdkLimit(PACKAGE_OF[s.service], s.command, field) ?? API_REFERENCE_LIMITS[`${operation}.${field}`];
        if (limit === undefined) {
          problems.push(
            `${operation}.${field}: no documented limit (add it from the API reference, with its URL)`,
          );
          continue;
        }
        if (typeof value !== 'number' || !Number.isInteger(value) || value < limit.min || value > limit.max) {
          problems.push(`${operation}.${field} = ${String(value)}, allowed ${limit.min}..${limit.max}`);
        }
        checked.push(`${operation}.${field}=${String(value)}`);
      }
    }
    expect(problems).toEqual([]);
    expect([...new Set(checked)].sort()).toEqual([
      'DescribeAutoScalingGroups.MaxRecords=100',
      'DescribeCapacityProviders.maxResults=10',
      'DescribeScalingActivities.MaxRecords=100',
      'DescribeSpotPriceHistory.MaxResults=100',
      'DescribeWarmPool.MaxRecords=50',
      'GetProducts.MaxResults=10',
      'ListClusters.maxResults=100',
      'ListContainerInstances.maxResults=100',
    ]);
  });

  it('reads the limits from the SDK documentation (DescribeWarmPool: 50, DescribeAutoScalingGroups: 100)', () => {
    expect(sdkLimit('@aws-sdk/client-auto-scaling', 'DescribeWarmPoolCommand', 'MaxRecords')).toEqual({
      min: 1,
      max: 50,
    });
    expect(
      sdkLimit('@aws-sdk/client-auto-scaling', 'DescribeAutoScalingGroupsCommand', 'MaxRecords'),
    ).toEqual({
      min: 1,
      max: 100,
    });
  });
});
