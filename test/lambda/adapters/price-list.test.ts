import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  onDemandFilters,
  onDemandPriceOf,
  PERMISSIONS,
  PriceListOnDemand,
  priceListRegionFor,
} from '../../../lambda/adapters/price-list';
import { TEST_CREDENTIALS } from './sdk-fakes';

const pricing = mockClient(PricingClient);

function priceDocument(name: string): { PriceList: string[] } {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'pricing', name), 'utf8'));
}
const LINUX = priceDocument('get-products-linux-m5.large-us-east-1.json');
const WINDOWS = priceDocument('get-products-windows-m5.xlarge-us-east-1.json');

describe('priceListRegionFor', () => {
  /** The Price List's three endpoints, each with regions it is the nearest to. */
  const NEAREST: Record<string, readonly string[]> = {
    'us-east-1': ['us-west-2', 'ca-central-1', 'sa-east-1'],
    'eu-central-1': ['eu-west-1', 'me-south-1', 'af-south-1'],
    'ap-south-1': ['ap-southeast-2', 'ap-northeast-1'],
  };
  const cases = Object.entries(NEAREST).flatMap(([endpoint, regions]) => regions.map((r) => [r, endpoint]));

  it.each(cases)('asks the Price List endpoint nearest %s: %s', (region, endpoint) => {
    expect(priceListRegionFor(region)).toBe(endpoint);
  });
});

describe('onDemandPriceOf', () => {
  it('reads the OnDemand hourly price of a real Linux document, not its Reserved terms', () => {
    expect(onDemandPriceOf(LINUX.PriceList)).toBe(0.096);
  });

  it('reads the Windows document', () => {
    expect(onDemandPriceOf(WINDOWS.PriceList)).toBe(0.376);
  });

  it('gives no price when the documents disagree or hold none', () => {
    expect(onDemandPriceOf([...LINUX.PriceList, ...WINDOWS.PriceList])).toBeUndefined();
    expect(onDemandPriceOf([])).toBeUndefined();
    expect(onDemandPriceOf(['not json'])).toBeUndefined();
  });
});

describe('PriceListOnDemand', () => {
  beforeEach(() => pricing.reset());

  const source = (endpoints: string[] = []) =>
    new PriceListOnDemand((region) => {
      endpoints.push(region);
      return new PricingClient({ region, credentials: TEST_CREDENTIALS });
    });

  it('asks for a Windows licence-included price with the operation and licence filters', async () => {
    // Prepare
    pricing.on(GetProductsCommand).resolves({ FormatVersion: 'aws_v1', PriceList: WINDOWS.PriceList });
    const endpoints: string[] = [];
    // Act
    const price = await source(endpoints).onDemandHourly({
      region: 'us-east-1',
      instanceType: 'm5.xlarge',
      market: 'on-demand',
      operation: 'RunInstances:0002',
      tenancy: 'default',
    });
    // Assess
    expect(price).toBe(0.376);
    expect(endpoints).toEqual(['us-east-1']);
    expect(pricing).toHaveReceivedCommandWith(GetProductsCommand, {
      ServiceCode: 'AmazonEC2',
      Filters: onDemandFilters({
        region: 'us-east-1',
        instanceType: 'm5.xlarge',
        market: 'on-demand',
        operation: 'RunInstances:0002',
      }),
    });
    const fields = Object.fromEntries(
      (pricing.commandCalls(GetProductsCommand)[0]!.args[0].input.Filters ?? []).map((f) => [
        f.Field,
        f.Value,
      ]),
    );
    expect(fields).toMatchObject({ operatingSystem: 'Windows', licenseModel: 'No License required' });
  });

  it('filters an unlisted operation by the operation alone', () => {
    const fields = onDemandFilters({
      region: 'eu-west-1',
      instanceType: 'r5.large',
      market: 'on-demand',
      operation: 'RunInstances:0102',
      tenancy: 'dedicated',
    }).map((f) => f.Field);
    expect(fields).toEqual([
      'instanceType',
      'regionCode',
      'operation',
      'tenancy',
      'capacitystatus',
      'marketoption',
    ]);
  });

  it('gives no price, and does not throw, when GetProducts fails', async () => {
    pricing
      .on(GetProductsCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const price = await source().onDemandHourly({
      region: 'eu-west-1',
      instanceType: 'm5.large',
      market: 'on-demand',
    });
    expect(price).toBeUndefined();
  });

  it('lists the one read-only action it calls', () => {
    expect(PERMISSIONS).toEqual(['pricing:GetProducts']);
  });
});
