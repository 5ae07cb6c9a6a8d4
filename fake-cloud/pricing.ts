/**
 * The AWS Price List Query API: `GetProducts` over JSON 1.1
 * (`X-Amz-Target: AWSPriceListService.GetProducts`), answered from the price documents in
 * `demo/prices/` (sources in its SOURCES.md). A document matches when every `TERM_MATCH` filter
 * names one of its attributes' values, as the real API filters. Served on the fake cloud's port
 * (`AWS_ENDPOINT_URL_PRICING`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudState } from './state';
import type { Json, JsonService } from './wire';

/** The JSON 1.1 target prefix of the Price List API. */
export const PRICING_TARGET = 'AWSPriceListService.';

interface PriceDocument {
  readonly product: { readonly attributes: Readonly<Record<string, string>> };
}

let documents: PriceDocument[] | undefined;

/** Every document in `demo/prices/`, read once. */
function catalogue(): PriceDocument[] {
  const dir = join(__dirname, '..', 'demo', 'prices');
  documents ??= readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as PriceDocument[]);
  return documents;
}

export const PRICING: JsonService<CloudState> = {
  protocol: 'json',
  service: 'pricing',
  target: PRICING_TARGET,
  contentType: 'application/x-amz-json-1.1',
  unknownCode: 'InvalidParameterException',
  operations: {
    GetProducts: (_ctx, body) => {
      const filters = (body['Filters'] as { Field: string; Value: string }[] | undefined) ?? [];
      const matches = catalogue().filter(
        (d) =>
          body['ServiceCode'] === 'AmazonEC2' &&
          filters.every((f) => d.product.attributes[f.Field] === f.Value),
      );
      return { FormatVersion: 'aws_v1', PriceList: matches.map((d) => JSON.stringify(d)) } as Json;
    },
  },
};
