/**
 * DynamoDB: each group's streak of guard trips (for auto-resume's backoff), kept in the guard's
 * table beside the windows as item `streak#<scopeId>`, with a TTL so it leaves by itself.
 * Correctness never rests on the TTL: a streak's age is checked against the clock when read.
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { TripStreak, TripStreakStore } from '../core/auto-resume';
import { CounterStoreError } from '../core/errors';
import { type ScopeKey, scopeId } from '../core/types';

/** IAM actions this adapter calls. */
export const PERMISSIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

/**
 * Table actions the resumer needs: this adapter's, plus what clearing a group's window takes
 * (`DynamoDbLaunchCounter.clearScope`).
 */
export const STREAK_TABLE_PERMISSIONS = [...PERMISSIONS, 'dynamodb:UpdateItem'] as const;

/** The partition key of a group's streak item. */
export function streakPk(key: ScopeKey): string {
  return `streak#${scopeId(key)}`;
}

/** {@link TripStreakStore} on DynamoDB (table key `pk` String, TTL attribute `ttl`). */
export class DynamoDbTripStreaks implements TripStreakStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(key: ScopeKey): Promise<TripStreak | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: streakPk(key) } },
          ConsistentRead: true,
        }),
      );
      const item = out.Item;
      if (item === undefined) return undefined;
      const trips = Number(item['trips']?.N);
      const startedAt = Number(item['startedAt']?.N);
      const lastTripAt = Number(item['lastTripAt']?.N);
      if (![trips, startedAt, lastTripAt].every(Number.isSafeInteger) || trips < 1) return undefined;
      return { trips, startedAt, lastTripAt };
    } catch (error) {
      throw new CounterStoreError(`reading the trip streak of ${key.key} failed`, { cause: error });
    }
  }

  async put(key: ScopeKey, streak: TripStreak, expiresAt: number): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: streakPk(key) },
            trips: { N: String(streak.trips) },
            startedAt: { N: String(streak.startedAt) },
            lastTripAt: { N: String(streak.lastTripAt) },
            ttl: { N: String(Math.ceil(expiresAt / 1000)) },
          },
        }),
      );
    } catch (error) {
      throw new CounterStoreError(`writing the trip streak of ${key.key} failed`, { cause: error });
    }
  }

  async clear(key: ScopeKey): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({ TableName: this.tableName, Key: { pk: { S: streakPk(key) } } }),
      );
    } catch (error) {
      throw new CounterStoreError(`clearing the trip streak of ${key.key} failed`, { cause: error });
    }
  }
}
