/** How the demo runs the real code: at a simulated time, in its own environment, hushed, the CLI captured. */
import type { CliContext } from '../cli/aws-errors';
import { defaultContext } from '../cli/aws-errors';

/**
 * Run `fn` with `Date.now()` returning `ms` (the simulated clock), and restore it afterwards.
 * The handler reads the time once per event through `Date.now()`.
 */
export async function atTime<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const real = Date.now;
  Date.now = () => ms;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}

/** The environment the handler reads, set before it is imported; returns a function restoring it. */
export function setEnv(vars: Record<string, string>): () => void {
  const before = new Map(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of before) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Run the handler with the console hushed: its JSON logs and metrics are not the demo's story. */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, warn: console.warn, debug: console.debug };
  const hush = () => {};
  Object.assign(console, { log: hush, info: hush, warn: hush, debug: hush });
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

/** The CLI's context on the demo's endpoints, with its output captured. */
export function cliContext(): { context: CliContext; take: () => string } {
  let buffer = '';
  const base = defaultContext();
  return {
    context: {
      ...base,
      stdout: (t) => {
        buffer += t;
      },
      stderr: (t) => {
        buffer += t;
      },
    },
    take: () => {
      const t = buffer;
      buffer = '';
      return t;
    },
  };
}
