import {
  GetInstanceProfileCommand,
  IAMClient,
  IAMServiceException,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { IamRoleReader, PERMISSIONS } from '../../../lambda/adapters/iam-role';

const iam = mockClient(IAMClient);
const ROLE_ARN = 'arn:aws:iam::123456789012:role/2sec-dev-ec2-role';

function reader(): IamRoleReader {
  return new IamRoleReader(
    new IAMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    }),
  );
}

function denied(name: string) {
  return new IAMServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: name,
  });
}

describe('IamRoleReader', () => {
  beforeEach(() => iam.reset());

  it('reads the role of an instance profile', async () => {
    // Prepare
    iam.on(GetInstanceProfileCommand).resolves({
      InstanceProfile: {
        InstanceProfileName: 'p',
        InstanceProfileId: 'AIPA',
        Arn: 'arn:aws:iam::123456789012:instance-profile/p',
        Path: '/',
        CreateDate: new Date(0),
        Roles: [
          {
            RoleName: '2sec-dev-ec2-role',
            Arn: ROLE_ARN,
            RoleId: 'AROA',
            Path: '/',
            CreateDate: new Date(0),
          },
        ],
      },
    });
    // Act / Assess
    await expect(reader().roleOfProfile('p')).resolves.toEqual({ name: '2sec-dev-ec2-role', arn: ROLE_ARN });
    expect(iam).toHaveReceivedCommandWith(GetInstanceProfileCommand, { InstanceProfileName: 'p' });
  });

  it('says so when the profile holds no role', async () => {
    iam.on(GetInstanceProfileCommand).resolves({
      InstanceProfile: {
        InstanceProfileName: 'p',
        InstanceProfileId: 'AIPA',
        Arn: 'arn:aws:iam::1:instance-profile/p',
        Path: '/',
        CreateDate: new Date(0),
        Roles: [],
      },
    });
    await expect(reader().roleOfProfile('p')).resolves.toMatchObject({ code: 'NoRole' });
  });

  it('simulates the actions against the resource and returns each decision', async () => {
    // Prepare
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        { EvalActionName: 'ecs:RegisterContainerInstance', EvalDecision: 'implicitDeny' },
        { EvalActionName: 'ecs:SubmitTaskStateChange', EvalDecision: 'allowed' },
      ],
    });
    const cluster = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';
    // Act
    const out = await reader().simulate(
      ROLE_ARN,
      ['ecs:RegisterContainerInstance', 'ecs:SubmitTaskStateChange'],
      cluster,
    );
    // Assess
    expect(out).toEqual([
      { action: 'ecs:RegisterContainerInstance', decision: 'implicitDeny' },
      { action: 'ecs:SubmitTaskStateChange', decision: 'allowed' },
    ]);
    expect(iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: ROLE_ARN,
      ActionNames: ['ecs:RegisterContainerInstance', 'ecs:SubmitTaskStateChange'],
      ResourceArns: [cluster],
    });
  });

  it('simulates against every resource when none is given', async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [] });
    await reader().simulate(ROLE_ARN, ['ecs:Poll']);
    const input = iam.commandCalls(SimulatePrincipalPolicyCommand)[0]!.args[0].input;
    expect(input.ResourceArns).toBeUndefined();
  });

  it('returns failures as problems named by the error, never throws', async () => {
    iam.on(GetInstanceProfileCommand).rejects(denied('NoSuchEntity'));
    iam.on(SimulatePrincipalPolicyCommand).rejects(denied('AccessDenied'));
    await expect(reader().roleOfProfile('gone')).resolves.toMatchObject({ code: 'NoSuchEntity' });
    await expect(reader().simulate(ROLE_ARN, ['ecs:Poll'])).resolves.toMatchObject({ code: 'AccessDenied' });
  });

  it('lists only the read-only actions it calls', () => {
    expect(PERMISSIONS).toEqual(['iam:GetInstanceProfile', 'iam:SimulatePrincipalPolicy']);
  });
});
