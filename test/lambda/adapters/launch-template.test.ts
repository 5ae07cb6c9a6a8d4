import { DescribeLaunchTemplateVersionsCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2LaunchTemplateReader, PERMISSIONS } from '../../../lambda/adapters/launch-template';
import { TEST_CREDENTIALS } from './sdk-fakes';

const ec2 = mockClient(EC2Client);

function reader(): Ec2LaunchTemplateReader {
  return new Ec2LaunchTemplateReader(
    (region) => new EC2Client({ region, credentials: TEST_CREDENTIALS, maxAttempts: 1 }),
  );
}

describe('Ec2LaunchTemplateReader', () => {
  beforeEach(() => ec2.reset());

  it('reads the version the group names and decodes its user data', async () => {
    // Prepare
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [
        {
          LaunchTemplateData: {
            IamInstanceProfile: { Arn: 'arn:aws:iam::1:instance-profile/ecs-profile' },
            UserData: Buffer.from('echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config').toString('base64'),
          },
        },
      ],
    });
    // Act
    const out = await reader().read('eu-west-1', { id: 'lt-1', version: '$Latest' });
    // Assess
    expect(out).toEqual({
      instanceProfile: 'arn:aws:iam::1:instance-profile/ecs-profile',
      userData: 'echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config',
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, {
      LaunchTemplateId: 'lt-1',
      Versions: ['$Latest'],
    });
  });

  it("asks by name for the template's default version when the group names no version", async () => {
    // Prepare
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [{ LaunchTemplateData: { IamInstanceProfile: { Name: 'web' } } }],
    });
    // Act
    const out = await reader().read('eu-west-1', { name: 'web-template' });
    // Assess
    expect(out).toEqual({ instanceProfile: 'web' });
    const input = ec2.commandCalls(DescribeLaunchTemplateVersionsCommand)[0]!.args[0].input;
    expect(input).toEqual({ LaunchTemplateName: 'web-template', Versions: ['$Default'] });
  });

  it('returns the failure as a problem named by the error, never throws', async () => {
    // Prepare
    ec2.on(DescribeLaunchTemplateVersionsCommand).rejects(
      new EC2ServiceException({
        name: 'UnauthorizedOperation',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'You are not authorized to perform this operation.',
      }),
    );
    // Act
    const out = await reader().read('eu-west-1', { id: 'lt-1' });
    // Assess
    expect(out).toEqual({
      code: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
    });
  });

  it('lists only the read-only action it calls', () => {
    expect(PERMISSIONS).toEqual(['ec2:DescribeLaunchTemplateVersions']);
  });
});
