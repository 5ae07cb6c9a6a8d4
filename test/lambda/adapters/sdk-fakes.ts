/** What adapter tests hand their mocked SDK clients: throwaway credentials and the SDK's own errors. */

/** Credentials for a client that only reaches a mock. */
export const TEST_CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'y' };

/** What an SDK service exception's constructor takes. */
interface ExceptionOptions {
  readonly name: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode?: number };
  readonly message: string;
}

/** A service's error as the SDK raises it: its exception class, name, message, fault and HTTP status. */
export function serviceError<E>(
  Exception: new (options: ExceptionOptions) => E,
  name: string,
  message: string,
  fault: 'client' | 'server' = 'client',
  httpStatusCode = 400,
): E {
  return new Exception({ name, $fault: fault, $metadata: { httpStatusCode }, message });
}

/** A maker of one service's client errors (HTTP 400) by name and message. */
export function clientErrorsOf<E>(
  Exception: new (options: ExceptionOptions) => E,
): (name: string, message: string) => E {
  return (name, message) => serviceError(Exception, name, message);
}
