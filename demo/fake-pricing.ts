/**
 * The demo's AWS Price List Query API: `GetProducts` over JSON 1.1
 * (`X-Amz-Target: AWSPriceListService.GetProducts`), answered from the price documents in
 * `demo/prices/` (sources in its SOURCES.md). A document matches when every `TERM_MATCH` filter
 * names one of its attributes' values, as the real API filters. Hooked into `fake-aws.ts`, which
 * serves it on the same port (`AWS_ENDPOINT_URL_PRICING`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The JSON 1.1 target prefix of the Price List API. */
export const PRICING_TARGET = 'AWSPriceListService.';

interface PriceDocument {
  readonly product: { readonly attributes: Readonly<Record<string, string>> };
}

let documents: PriceDocument[] | undefined;

/** Every document in `demo/prices/`, read once. */
function catalogue(): PriceDocument[] {
  documents ??= readdirSync(join(__dirname, 'prices'))
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => JSON.parse(readFileSync(join(__dirname, 'prices', f), 'utf8')) as PriceDocument[]);
  return documents;
}

/**
 * The answer to a Price List call, or undefined when the request is not one (the caller goes on).
 */
export function answerPricing(
  target: string | string[] | undefined,
  text: string,
): { status: number; body: string } | undefined {
  if (typeof target !== 'string' || !target.startsWith(PRICING_TARGET)) return undefined;
  const operation = target.slice(PRICING_TARGET.length);
  if (operation !== 'GetProducts')
    return {
      status: 400,
      body: JSON.stringify({
        __type: 'InvalidParameterException',
        Message: `${operation} is not answered by the demo`,
      }),
    };
  const input = JSON.parse(text === '' ? '{}' : text) as {
    ServiceCode?: string;
    Filters?: { Field: string; Value: string }[];
  };
  const matches = catalogue().filter(
    (d) =>
      input.ServiceCode === 'AmazonEC2' &&
      (input.Filters ?? []).every((f) => d.product.attributes[f.Field] === f.Value),
  );
  return {
    status: 200,
    body: JSON.stringify({ FormatVersion: 'aws_v1', PriceList: matches.map((d) => JSON.stringify(d)) }),
  };
}
