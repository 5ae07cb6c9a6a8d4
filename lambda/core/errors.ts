/**
 * The project's error family. Expected outcomes are return values; these are for failures.
 */

/** Base class of every error this project throws on purpose. */
export class GuardError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GuardError';
  }
}

/** A configuration value (environment variable or CLI flag) is missing or wrong. */
export class ConfigError extends GuardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** An event does not have the shape we handle. Logged and dropped, never retried. */
export class EventShapeError extends GuardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventShapeError';
  }
}

/** The DynamoDB store failed. Rethrown so that Lambda retries the event. */
export class CounterStoreError extends GuardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CounterStoreError';
  }
}

/** An Auto Scaling call failed. Rethrown so that Lambda retries the event. */
export class SuspendError extends GuardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SuspendError';
  }
}

/** Publishing an alert failed. */
export class NotifyError extends GuardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotifyError';
  }
}
