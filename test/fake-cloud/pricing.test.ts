import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from '../../fake-cloud/static-state';
import { onDemandFilters, onDemandPriceOf } from '../../lambda/adapters/price-list';

describe("the fake cloud's Price List", () => {
  let fake: FakeAws;
  beforeAll(async () => (fake = await startFakeAws()));
  afterAll(() => fake.close());

  const client = () =>
    new PricingClient({
      region: 'eu-central-1',
      endpoint: fake.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });

  it('answers GetProducts over the real SDK with the document the guard’s filters select', async () => {
    const out = await client().send(
      new GetProductsCommand({
        ServiceCode: 'AmazonEC2',
        Filters: onDemandFilters({ region: 'eu-west-1', instanceType: 'inf2.xlarge', market: 'on-demand' }),
      }),
    );
    expect(out.PriceList).toHaveLength(1);
    expect(onDemandPriceOf(out.PriceList ?? [])).toBe(0.94775);
  });

  it('answers nothing for a type or Region it holds no document of', async () => {
    const out = await client().send(
      new GetProductsCommand({
        ServiceCode: 'AmazonEC2',
        Filters: onDemandFilters({ region: 'us-east-1', instanceType: 'inf2.xlarge', market: 'on-demand' }),
      }),
    );
    expect(out.PriceList).toEqual([]);
  });
});
