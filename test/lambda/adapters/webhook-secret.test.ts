import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  SECRET_TTL_MS,
  WebhookUrlSource,
  webhookUrlFromSecret,
} from '../../../lambda/adapters/webhook-secret';
import { ConfigError } from '../../../lambda/core/errors';

const URL_A = 'https://hooks.slack.com/services/T000/B000/AAAA';
const URL_B = 'https://hooks.slack.com/services/T000/B000/BBBB';

describe('webhookUrlFromSecret', () => {
  it.each([
    { value: URL_A, expected: URL_A },
    { value: `  ${URL_A}\n`, expected: URL_A },
    { value: JSON.stringify({ url: URL_A }), expected: URL_A },
    { value: JSON.stringify({ webhookUrl: URL_A }), expected: URL_A },
    { value: 'http://127.0.0.1:8080/hook', expected: 'http://127.0.0.1:8080/hook' },
  ])('reads $expected from $value', ({ value, expected }) => {
    expect(webhookUrlFromSecret(value)).toBe(expected);
  });

  it.each([
    { value: 'not a url' },
    { value: 'http://hooks.slack.com/services/T000/B000/AAAA' },
    { value: '{"url": 42}' },
    { value: '{"url": ' },
    { value: 'ftp://example.com/x' },
  ])('refuses $value with a ConfigError', ({ value }) => {
    expect(() => webhookUrlFromSecret(value)).toThrow(ConfigError);
  });
});

describe('WebhookUrlSource', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it('reads the secret once and serves it from the cache until the TTL passes', async () => {
    // Prepare
    let now = 1_000_000;
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: URL_A }).resolvesOnce({ SecretString: URL_B });
    const source = new WebhookUrlSource(new SecretsManagerClient({}), 'llg/slack', () => now);

    // Act
    const first = await source.url();
    now += SECRET_TTL_MS - 1;
    const cached = await source.url();
    now += 1;
    const refreshed = await source.url();

    // Assess
    expect([first, cached, refreshed]).toEqual([URL_A, URL_A, URL_B]);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'llg/slack' });
  });

  it('lets an SDK error through and reads again next time', async () => {
    // Prepare
    sm.on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'no such secret', $metadata: {} }))
      .resolvesOnce({ SecretString: URL_A });
    const source = new WebhookUrlSource(new SecretsManagerClient({}), 'llg/slack');

    // Act / Assess
    await expect(source.url()).rejects.toThrow(ResourceNotFoundException);
    await expect(source.url()).resolves.toBe(URL_A);
  });

  it('refuses a binary secret', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
    const source = new WebhookUrlSource(new SecretsManagerClient({}), 'llg/slack');

    // Act / Assess
    await expect(source.url()).rejects.toThrow(ConfigError);
  });
});
