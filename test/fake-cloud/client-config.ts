/** The settings of an SDK client that talks to the fake cloud at `endpoint`: test credentials, no retries. */
export function fakeClientConfig(endpoint: string, region: string) {
  return { region, endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
}
