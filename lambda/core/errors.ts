/**
 * The project's error family. Expected outcomes are return values; these are for failures.
 */

/**
 * What a failure means for the event that met it (see `lambda/adapters/aws-error.ts`):
 * - `transient`: a retry can succeed (throttling, 5xx, timeouts): thrown, Lambda retries;
 * - `permanent`: a retry cannot fix it for this input (validation, a missing group or image):
 *   logged, counted, the event ends;
 * - `blind`: the guard itself cannot work (access denied, a missing table, a disabled key):
 *   metric `GuardBlind`, alarm, thrown so the event is kept for a replay.
 */
export type FailureClass = 'transient' | 'permanent' | 'blind';

/** {@link ErrorOptions} plus what the failure means, when the thrower knows it. */
export interface GuardErrorOptions extends ErrorOptions {
  readonly failure?: FailureClass;
}

/** Base class of every error this project throws on purpose. */
export class GuardError extends Error {
  /** What the failure means for the event; undefined when the thrower did not classify it. */
  readonly failure?: FailureClass;

  constructor(message: string, options?: GuardErrorOptions) {
    super(message, options);
    this.name = 'GuardError';
    if (options?.failure !== undefined) this.failure = options.failure;
  }
}

/** A configuration value (environment variable or CLI flag) is missing or wrong. */
export class ConfigError extends GuardError {
  override readonly name = 'ConfigError';
}

/** An event does not have the shape we handle. Logged and dropped, never retried. */
export class EventShapeError extends GuardError {
  override readonly name = 'EventShapeError';
}

/** The DynamoDB store failed. Rethrown so that Lambda retries the event. */
export class CounterStoreError extends GuardError {
  override readonly name = 'CounterStoreError';
}

/** An Auto Scaling call failed. Rethrown so that Lambda retries the event. */
export class SuspendError extends GuardError {
  override readonly name = 'SuspendError';
}

/** Publishing an alert failed. */
export class NotifyError extends GuardError {
  override readonly name = 'NotifyError';
}

/**
 * The guard cannot do its job (access denied, a missing table, a disabled key): thrown after the
 * `GuardBlind` metric was counted, so that Lambda keeps the event for a replay once fixed.
 */
export class GuardBlindError extends GuardError {
  constructor(message: string, options?: GuardErrorOptions) {
    super(message, { ...options, failure: 'blind' });
    this.name = 'GuardBlindError';
  }
}
