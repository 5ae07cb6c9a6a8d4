import { describe, expect, it } from 'vitest';
import {
  isAccountId,
  isEventId,
  isGroupName,
  isImageId,
  isInstanceId,
  isRegion,
  MAX_GROUP_NAME_LENGTH,
} from '../../../lambda/core/identifiers';

/** One check's cases: each value, and whether the check finds it valid. */
function validates(what: string, isValid: (value: string) => boolean, cases: [string, boolean][]): void {
  it.each(cases)(`${what} is valid: %s`, (value, expected) => {
    expect(isValid(value)).toBe(expected);
  });
}

describe('identifiers', () => {
  validates('account %s', isAccountId, [
    ['111122223333', true],
    ['11112222333', false],
    ['1111222233334', false],
    ['11112222333a', false],
    ['1'.repeat(3965), false],
  ]);

  validates('region %s', isRegion, [
    ['us-east-1', true],
    ['ap-southeast-7', true],
    ['cn-northwest-1', true],
    ['us-gov-west-1', true],
    ['us-iso-east-1', true],
    ['us-isob-east-1', true],
    ['eu-isoe-west-1', true],
    ['us-isof-south-1', true],
    ['eusc-de-east-1', true],
    ['mx-central-1', true],
    // Stratus's anonymised region, a made-up prefix, and junk of the size.
    ['ca-south-3r', false],
    ['zz-east-1', false],
    ['us-east', false],
    [`us-${'a'.repeat(3000)}-1`, false],
  ]);

  validates('group name %j', isGroupName, [
    ['my-auto-scaling-group', true],
    ['eks-ng-0ca246e9-cac9e862-bfd9-a821-c9fd-9916df5654eb', true],
    ['a'.repeat(MAX_GROUP_NAME_LENGTH), true],
    ['é'.repeat(MAX_GROUP_NAME_LENGTH), true],
    ['a'.repeat(MAX_GROUP_NAME_LENGTH + 1), false],
    ['', false],
    ['group\u0000name', false],
    ['group\nname', false],
    ['group\u007fname', false],
    ['lone \ud800 surrogate', false],
  ]);

  validates('AMI id %s', isImageId, [
    ['ami-0abc1234def567890', true],
    ['ami-2d39803a', true],
    ['ami-aCBbfd13bdb1d1E4b', true],
    ['ami-0abc', false],
    ['ami-0abc1234def5678901', false],
    ['ami-0abc1234def56789g', false],
    ['i-0abc1234def567890', false],
    [`ami-${'0'.repeat(400)}`, false],
  ]);

  validates('instance id %j', isInstanceId, [
    ['i-1234567890abcdef0', true],
    ['i-784cdacd', true],
    ['i-0abc', false],
    ['i-1', false],
    ['ami-784cdacd', false],
    ['i-1234567890abcdef0 ', false],
  ]);

  validates('event id %j', isEventId, [
    ['41fab871-150b-43ad-b42a-39fff3f2ca4e', true],
    ['6e12345-2a4e-417c-aa78-7594fEXAMPLE', true],
    ['e-1', true],
    ['-leading-dash', false],
    ['has space', false],
    ['x'.repeat(129), false],
  ]);
});
