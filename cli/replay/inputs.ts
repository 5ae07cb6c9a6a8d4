/**
 * Turns the PATH arguments into the list of inputs to read: files as given, directories walked
 * recursively for CloudTrail files, `-` for standard input.
 */
import { closeSync, openSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Files a directory walk picks up. */
const LOG_FILE = /\.(json|jsonl)(\.gz)?$/i;
/** Folders that hold no API records: digests and Insights events. */
const SKIPPED_DIRS = new Set(['CloudTrail-Digest', 'CloudTrail-Insight']);
/** Digest and Insights files, also when they sit outside those folders. */
const SKIPPED_FILE = /_CloudTrail-(Digest|Insight)_/;

/** What the PATH arguments resolve to. */
export interface ResolvedInputs {
  /** File paths and `-`, in argument order; each directory's files sorted by path. */
  readonly inputs: string[];
  /** Digest and Insights files (and folders) left out. */
  readonly skipped: string[];
}

/** A PATH that cannot be read; the message names it. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * Resolve the PATH arguments.
 *
 * @throws InputError naming the first path that does not exist or cannot be read
 */
export function resolveInputs(paths: readonly string[]): ResolvedInputs {
  const inputs: string[] = [];
  const skipped: string[] = [];
  const seenDirs = new Set<string>();
  let stdin = false;
  for (const path of paths) {
    if (path === '-') {
      if (stdin) throw new InputError('- (standard input) given twice');
      stdin = true;
      inputs.push(path);
      continue;
    }
    const stat = statOf(path);
    if (stat.isDirectory()) walk(path, inputs, skipped, seenDirs);
    else if (SKIPPED_FILE.test(basename(path))) skipped.push(path);
    else {
      checkReadable(path);
      inputs.push(path);
    }
  }
  return { inputs, skipped };
}

function walk(dir: string, inputs: string[], skipped: string[], seenDirs: Set<string>): void {
  const real = realpathOf(dir);
  if (seenDirs.has(real)) return;
  seenDirs.add(real);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    throw new InputError(`cannot read ${dir}: ${reason(error)}`);
  }
  for (const name of names) {
    const path = join(dir, name);
    const stat = statOf(path);
    if (stat.isDirectory()) {
      if (SKIPPED_DIRS.has(name)) skipped.push(path);
      else walk(path, inputs, skipped, seenDirs);
    } else if (stat.isFile() && LOG_FILE.test(name)) {
      if (SKIPPED_FILE.test(name)) skipped.push(path);
      else {
        checkReadable(path);
        inputs.push(path);
      }
    }
  }
}

function statOf(path: string): ReturnType<typeof statSync> & object {
  try {
    return statSync(path);
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${reason(error)}`);
  }
}

function realpathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${reason(error)}`);
  }
}

/** Open-and-close is the only honest readability check (access() ignores some ACLs). */
function checkReadable(path: string): void {
  try {
    closeSync(openSync(path, 'r'));
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${reason(error)}`);
  }
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
