/**
 * One dynalite for a test file: started before its tests, stopped after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { type LocalDynamo, startDynamo } from './dynalite';

/**
 * Start dynalite for the calling test file's tests.
 *
 * @returns the running dynalite (call it inside a test or a hook)
 */
export function useDynamo(): () => LocalDynamo {
  let db: LocalDynamo | undefined;
  beforeAll(async () => {
    db = await startDynamo();
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => {
    if (db === undefined)
      throw new Error('dynalite is not started: call useDynamo() at the top of the test file');
    return db;
  };
}
