import { describe, expect, it } from 'vitest';
import {
  claimRequest,
  cleanupRequest,
  clearRequests,
  progressRequest,
  rearmRequest,
  recordRequest,
  removeRequest,
  settingsRequest,
} from '../../../lambda/adapters/scope-requests';
import { CLAIMED, tripOwner } from '../../../lambda/core/claim';
import { ATTR, decodeItem, groupAttr, idAttr } from '../../../lambda/core/scope-item';

const TABLE = 'guard';
const PK = 'asg#111122223333#eu-west-1#web';
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

describe('recordRequest', () => {
  it('sets ids where absent and the leases, adds the sets, removes what the ride carries, returns the old item', () => {
    // Prepare
    const write = {
      expiry: 99,
      ids: [[idAttr(id(1)), 10] as const],
      settingsLease: 7,
      groups: [],
      judgeLease: 8,
      callers: ['arn:a'],
      amis: ['ami-1'],
      remove: [idAttr(id(0))],
      watermark: 5,
    };
    // Act
    const input = recordRequest(TABLE, PK, write);
    // Assess
    expect(input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: PK } },
      UpdateExpression:
        'SET #ep = if_not_exists(#ep, :zero), #ttl = :ttl, #i0 = if_not_exists(#i0, :t0), #q = :q, #jq = :jq, #wm = :wm ' +
        'ADD #c :c, #a :a REMOVE #r0',
      ExpressionAttributeNames: {
        '#ep': ATTR.episode,
        '#ttl': ATTR.ttl,
        '#i0': idAttr(id(1)),
        '#q': ATTR.settingsLease,
        '#jq': ATTR.judgeLease,
        '#c': ATTR.callers,
        '#a': ATTR.amis,
        '#r0': idAttr(id(0)),
        '#wm': ATTR.watermark,
      },
      ExpressionAttributeValues: {
        ':zero': { N: '0' },
        ':ttl': { N: '99' },
        ':t0': { N: '10' },
        ':q': { N: '7' },
        ':jq': { N: '8' },
        ':c': { SS: ['arn:a'] },
        ':a': { SS: ['ami-1'] },
        ':wm': { N: '5' },
      },
      ReturnValues: 'ALL_OLD',
      ReturnConsumedCapacity: 'TOTAL',
    });
  });

  it("writes an AMI scope's groups and leaves out the clauses it has nothing for", () => {
    // Act
    const input = recordRequest(TABLE, PK, {
      expiry: 1,
      ids: [],
      groups: [[groupAttr('web'), 3]],
      callers: [],
      amis: [],
      remove: [],
    });
    // Assess
    expect(input.UpdateExpression).toBe('SET #ep = if_not_exists(#ep, :zero), #ttl = :ttl, #g0 = :g0');
    expect(input.ExpressionAttributeNames?.['#g0']).toBe(groupAttr('web'));
  });
});

describe('the trip writes', () => {
  const target = { table: TABLE, pk: PK, episode: 4 };
  const owner = tripOwner('req-1');

  it('claims with the episode condition and asks for the old item when it fails', () => {
    // Act
    const input = claimRequest(target, owner, 1000, CLAIMED);
    // Assess
    expect(input.ConditionExpression).toBe('#ep = :ep AND (attribute_not_exists(#te) OR #te <> :ep)');
    expect(input.ExpressionAttributeValues).toEqual({
      ':ep': { N: '4' },
      ':me': { S: 'req-1' },
      ':now': { N: '1000' },
      ':p': { S: '{"step":"claimed"}' },
    });
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('names only the placeholders a write uses (DynamoDB refuses unused ones)', () => {
    // Act
    const progress = progressRequest(target, owner, { step: 'done' });
    const rearm = rearmRequest(target);
    // Assess
    expect(Object.keys(progress.ExpressionAttributeNames ?? {})).toEqual(['#te', '#tb', '#tst']);
    expect(Object.keys(rearm.ExpressionAttributeNames ?? {})).toEqual(['#ep', '#te', '#tb', '#tat']);
    expect(rearm.ExpressionAttributeValues).toEqual({ ':ep': { N: '4' }, ':next': { N: '5' } });
  });
});

describe('the other writes', () => {
  it('cleans up once per version, a first cleanup included', () => {
    // Prepare
    const plan = { removeIds: [id(1)], removeGroups: [], dropCallers: false, dropAmis: false };
    // Act
    const first = cleanupRequest(TABLE, PK, decodeItem(undefined), plan);
    const later = cleanupRequest(TABLE, PK, { ...decodeItem(undefined), cleanupVersion: 3 }, plan);
    // Assess
    expect(first.ConditionExpression).toBe('attribute_not_exists(#cv) OR #cv = :cv');
    expect(later.ConditionExpression).toBe('#cv = :cv');
    expect(later.UpdateExpression).toBe('SET #cv = :next REMOVE #r0');
    expect(later.ExpressionAttributeValues).toEqual({ ':cv': { N: '3' }, ':next': { N: '4' } });
  });

  it('clears a large item in writes of 100 removals, each starting the next episode', () => {
    // Act
    const writes = clearRequests(
      TABLE,
      PK,
      Array.from({ length: 230 }, (_, i) => `a${i}`),
      6,
    );
    // Assess
    expect(writes.map((w) => Object.keys(w.ExpressionAttributeNames ?? {}).length)).toEqual([101, 101, 31]);
    expect(writes.every((w) => w.UpdateExpression?.startsWith('SET #ep = :next REMOVE #r0, #r1'))).toBe(true);
  });

  it('caches settings as JSON, or removes them', () => {
    const settings = { threshold: 3, windowMs: 60_000, exempt: false };
    expect(settingsRequest(TABLE, PK, settings).ExpressionAttributeValues).toEqual({
      ':s': { S: JSON.stringify(settings) },
    });
    expect(settingsRequest(TABLE, PK, undefined)).toEqual({
      TableName: TABLE,
      Key: { pk: { S: PK } },
      UpdateExpression: 'REMOVE #s',
      ExpressionAttributeNames: { '#s': ATTR.settings },
    });
  });

  it('removes attributes by placeholder', () => {
    expect(removeRequest(TABLE, PK, ['x', 'y'])).toEqual({
      TableName: TABLE,
      Key: { pk: { S: PK } },
      UpdateExpression: 'REMOVE #r0, #r1',
      ExpressionAttributeNames: { '#r0': 'x', '#r1': 'y' },
    });
  });
});
