// Tests of the EventBridge pattern matcher in fake-cloud/support/event-pattern.ts, which the rule
// pattern tests rely on. Cases follow the EventBridge user guide's examples.
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../fake-cloud/support/event-pattern';

const event = {
  source: 'aws.ec2',
  'detail-type': 'AWS API Call via CloudTrail',
  region: 'eu-west-1',
  detail: {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    errorCode: null,
    count: 5,
    tags: ['a', 'b'],
    nested: { deep: 'Value' },
  },
};

describe('matchesPattern', () => {
  it.each([
    { name: 'an exact value in the list', pattern: { source: ['aws.s3', 'aws.ec2'] } },
    {
      name: 'nested fields',
      pattern: { detail: { eventName: ['RunInstances'], nested: { deep: ['Value'] } } },
    },
    { name: 'an array value with one matching element', pattern: { detail: { tags: ['b'] } } },
    { name: 'null as a value', pattern: { detail: { errorCode: [null] } } },
    { name: 'a prefix', pattern: { region: [{ prefix: 'eu-' }] } },
    { name: 'a suffix', pattern: { detail: { eventSource: [{ suffix: '.amazonaws.com' }] } } },
    { name: 'anything-but a value', pattern: { source: [{ 'anything-but': 'aws.s3' }] } },
    { name: 'anything-but a list', pattern: { source: [{ 'anything-but': ['aws.s3', 'aws.iam'] }] } },
    { name: 'anything-but a prefix', pattern: { region: [{ 'anything-but': { prefix: 'us-' } }] } },
    { name: 'exists true', pattern: { detail: { eventName: [{ exists: true }] } } },
    { name: 'exists false on a missing field', pattern: { detail: { userAgent: [{ exists: false }] } } },
    { name: 'exists false under a missing object', pattern: { missing: { inner: [{ exists: false }] } } },
    { name: 'a numeric range', pattern: { detail: { count: [{ numeric: ['>', 0, '<=', 5] }] } } },
    {
      name: 'equals-ignore-case',
      pattern: { detail: { eventName: [{ 'equals-ignore-case': 'runinstances' }] } },
    },
    { name: 'a wildcard', pattern: { 'detail-type': [{ wildcard: 'AWS API Call*' }] } },
    { name: 'one branch of $or', pattern: { $or: [{ source: ['aws.s3'] }, { region: ['eu-west-1'] }] } },
    { name: 'an empty pattern', pattern: {} },
  ])('matches $name', ({ pattern }) => {
    expect(matchesPattern(pattern, event)).toBe(true);
  });

  it.each([
    { name: 'a value not in the list', pattern: { source: ['aws.s3'] } },
    {
      name: 'a different case (values are case-sensitive)',
      pattern: { detail: { eventName: ['runinstances'] } },
    },
    { name: 'a missing field', pattern: { detail: { userAgent: ['x'] } } },
    { name: 'a missing object', pattern: { missing: { inner: ['x'] } } },
    { name: 'an array value with no matching element', pattern: { detail: { tags: ['c'] } } },
    { name: 'a wrong prefix', pattern: { region: [{ prefix: 'us-' }] } },
    { name: 'anything-but the value itself', pattern: { source: [{ 'anything-but': 'aws.ec2' }] } },
    {
      name: 'anything-but on a missing field',
      pattern: { detail: { userAgent: [{ 'anything-but': 'x' }] } },
    },
    { name: 'exists false on a present field', pattern: { detail: { eventName: [{ exists: false }] } } },
    { name: 'exists true on a missing field', pattern: { detail: { userAgent: [{ exists: true }] } } },
    { name: 'a numeric range outside', pattern: { detail: { count: [{ numeric: ['>', 5] }] } } },
    { name: 'numeric on a string', pattern: { region: [{ numeric: ['>', 0] }] } },
    { name: 'a number against its string form', pattern: { detail: { count: ['5'] } } },
    { name: 'no branch of $or', pattern: { $or: [{ source: ['aws.s3'] }, { region: ['us-east-1'] }] } },
    { name: 'one field of two', pattern: { source: ['aws.ec2'], region: ['us-east-1'] } },
  ])('rejects $name', ({ pattern }) => {
    expect(matchesPattern(pattern, event)).toBe(false);
  });

  it('refuses a filter it does not implement rather than guessing', () => {
    expect(() => matchesPattern({ source: [{ cidr: '10.0.0.0/24' }] }, event)).toThrow(/unsupported/);
  });
});
