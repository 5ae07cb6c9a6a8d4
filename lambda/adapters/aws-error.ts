/**
 * # What an AWS failure means
 *
 * The one place that decides what an AWS SDK error means for the event that met it. Every
 * adapter classifies through {@link classifyAwsError}; `run()` acts on the class. The decision
 * reads only what the SDK puts on the error: its `name` (the service's error code, e.g.
 * `ValidationError`, `UnauthorizedOperation`, `ThrottlingException`), `$metadata.httpStatusCode`,
 * `$fault` (`client` | `server`), `$retryable`, and Node's `code` for socket errors. Never
 * message text.
 *
 * | class       | meaning                                   | what happens to the event                         |
 * |-------------|-------------------------------------------|---------------------------------------------------|
 * | `transient` | throttling, 5xx, timeouts, socket resets  | thrown: Lambda retries, then the failure queue    |
 * | `permanent` | validation, a missing group or image      | logged, counted (`PermanentFailures`), ends       |
 * | `blind`     | access denied, missing table, KMS key off | `GuardBlind` metric + alarm, thrown (kept)        |
 *
 * Order of the checks: an adapter's `overrides` by name; then names (blind, then transient);
 * then the status (401/403 blind, 429 and 5xx transient, other 4xx permanent); then `$fault`;
 * anything else (a socket error, a bug, a non-AWS value) is `transient`, which is the old
 * behaviour: when in doubt, keep the event.
 *
 * Name lists follow the SDK's own retry classification (`@smithy/core`, submodule `retry`,
 * `service-error-classification/constants.js`: THROTTLING_ERROR_CODES, TRANSIENT_ERROR_CODES,
 * TRANSIENT_ERROR_STATUS_CODES, NODEJS_TIMEOUT_ERROR_CODES, NODEJS_NETWORK_ERROR_CODES) plus the
 * modelled exceptions of the clients this project uses.
 *
 * ## Use in an adapter
 * ```ts
 * } catch (error) {
 *   if (isGroupGone(error)) return 'gone';            // a known harmless case first
 *   throw new SuspendError(`SuspendProcesses failed for ${name}`, awsCause(error));
 * }
 * ```
 * `awsCause(error)` is `{ cause: error, failure: classifyAwsError(error) }`: the thrown
 * `GuardError` carries its class in `failure`, and {@link classifyAwsError} of the wrapper gives
 * the same answer. A service whose `ResourceNotFoundException` names the event's resource (not
 * the guard's own) passes an override: `classifyAwsError(error, { ResourceNotFoundException: 'permanent' })`.
 */
import type { FailureClass } from '../core/errors';

export type { FailureClass as AwsErrorClass } from '../core/errors';

/** Error names that say the caller's identity was refused (for messages to people). */
export const ACCESS_DENIED_ERROR_NAMES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
]);

/**
 * Error names that mean the guard's own identity or resources are refused or gone: the
 * {@link ACCESS_DENIED_ERROR_NAMES} and the rest below.
 */
export const BLIND_ERROR_NAMES: ReadonlySet<string> = new Set([
  // Access: Auto Scaling / IAM query APIs, EC2, JSON services, SNS.
  ...ACCESS_DENIED_ERROR_NAMES,
  'MissingAuthenticationToken',
  'OptInRequired',
  // The guard's KMS key (SNS models these; other services name them the same way).
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'KmsKeyDisabledException',
  'KMSKeyNotAccessibleFault',
  // The guard's own resources: its table (DynamoDB), schedule group (Scheduler), topic (SNS).
  'ResourceNotFoundException',
  'TableNotFoundException',
  'NotFoundException',
]);

/** Error names a retry can fix, whatever their status (several throttles come back as 400). */
export const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  // @smithy/core THROTTLING_ERROR_CODES
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
  // @smithy/core TRANSIENT_ERROR_CODES
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  // Clock skew (the SDK corrects its clock and the next attempt passes).
  'RequestExpired',
  'RequestInTheFuture',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
  // Modelled, retryable by nature.
  'KMSThrottlingException',
  'ResourceContentionFault',
  'ScalingActivityInProgressFault',
  'IdempotentCallInProgressFault',
  'TransactionConflictException',
  'ReplicatedWriteConflictException',
  'InternalServerError',
  'InternalServerException',
  'InternalErrorException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
]);

/** Node socket error codes (`error.code`), from @smithy/core's NODEJS_* lists. */
const SOCKET_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The fields of an SDK error that the classification reads. */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly failure?: unknown;
  readonly cause?: unknown;
}

/** What the classification found, for logs and metrics. */
export interface AwsFailure {
  readonly failure: FailureClass;
  /** The SDK error's name (the service's error code), or `Error` when there is none. */
  readonly name: string;
  /** The HTTP status, when the failure had a response. */
  readonly status?: number;
}

/**
 * Class an error thrown by an AWS SDK call, or a `GuardError` that wraps one.
 *
 * A `GuardError` (or any error in the `cause` chain) that already carries `failure` keeps that
 * class; otherwise the innermost error of the chain is classed by name and status.
 *
 * @param error what the SDK (or an adapter) threw
 * @param overrides class by error name, checked first, for a service whose name means something
 *   else there (e.g. `{ ResourceNotFoundException: 'permanent' }` where it names the event's resource)
 * @returns `transient`, `permanent` or `blind`; never throws
 * @example
 * classifyAwsError(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} })); // 'transient'
 */
export function classifyAwsError(
  error: unknown,
  overrides?: Readonly<Record<string, FailureClass>>,
): FailureClass {
  return describeAwsFailure(error, overrides).failure;
}

/**
 * {@link classifyAwsError} with the name and status it was decided from.
 *
 * @param error what the SDK (or an adapter) threw
 * @param overrides class by error name, checked first
 */
export function describeAwsFailure(
  error: unknown,
  overrides?: Readonly<Record<string, FailureClass>>,
): AwsFailure {
  let e = error as SdkErrorShape | null | undefined;
  for (let depth = 0; depth < 10; depth += 1) {
    if (e === null || typeof e !== 'object') break;
    if (isFailureClass(e.failure)) {
      const root = innermost(e);
      return { failure: e.failure, name: nameOf(root), ...statusField(root) };
    }
    if (e.cause === undefined || e.cause === null) break;
    e = e.cause as SdkErrorShape;
  }
  const root = innermost(error);
  const name = nameOf(root);
  return { failure: classifyOne(root, name, overrides), name, ...statusField(root) };
}

/**
 * The options for a `GuardError` that wraps an SDK failure: the cause and its class.
 *
 * @example
 * throw new CounterStoreError(`record ${pk} failed`, awsCause(error));
 */
export function awsCause(
  error: unknown,
  overrides?: Readonly<Record<string, FailureClass>>,
): { cause: unknown; failure: FailureClass } {
  return { cause: error, failure: classifyAwsError(error, overrides) };
}

/** The SDK error's name (the innermost of a `cause` chain), or `Error`. */
export function awsErrorName(error: unknown): string {
  return nameOf(innermost(error));
}

function classifyOne(
  root: SdkErrorShape | null | undefined,
  name: string,
  overrides: Readonly<Record<string, FailureClass>> | undefined,
): FailureClass {
  const override = overrides?.[name];
  if (override !== undefined) return override;
  if (BLIND_ERROR_NAMES.has(name)) return 'blind';
  if (TRANSIENT_ERROR_NAMES.has(name)) return 'transient';
  if (root === null || typeof root !== 'object') return 'transient';
  if (root.$retryable !== undefined && root.$retryable !== null) return 'transient';
  if (typeof root.code === 'string' && SOCKET_ERROR_CODES.has(root.code)) return 'transient';
  const status = statusOf(root);
  if (status !== undefined) {
    if (status === 401 || status === 403) return 'blind';
    if (status === 429 || status >= 500) return 'transient';
    if (status >= 400) return 'permanent';
  }
  if (root.$fault === 'client') return 'permanent';
  return 'transient';
}

function innermost(error: unknown): SdkErrorShape | null | undefined {
  let e = error as SdkErrorShape | null | undefined;
  for (let depth = 0; depth < 10; depth += 1) {
    const cause = e !== null && typeof e === 'object' ? e.cause : undefined;
    if (cause === undefined || cause === null) return e;
    e = cause as SdkErrorShape;
  }
  return e;
}

function nameOf(e: SdkErrorShape | null | undefined): string {
  if (e !== null && typeof e === 'object' && typeof e.name === 'string' && e.name !== '') return e.name;
  return 'Error';
}

function statusOf(e: SdkErrorShape | null | undefined): number | undefined {
  const status = e !== null && typeof e === 'object' ? e.$metadata?.httpStatusCode : undefined;
  return typeof status === 'number' ? status : undefined;
}

function statusField(e: SdkErrorShape | null | undefined): { status?: number } {
  const status = statusOf(e);
  return status === undefined ? {} : { status };
}

function isFailureClass(value: unknown): value is FailureClass {
  return value === 'transient' || value === 'permanent' || value === 'blind';
}
