import { DescribeImagesCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2ImageInfo, MAX_IMAGES, PERMISSIONS } from '../../../lambda/adapters/ec2-diagnosis';
import { clientErrorsOf, TEST_CREDENTIALS } from './sdk-fakes';

const AMI = 'ami-0abc1234def567890';
const OTHER = 'ami-0fedcba9876543210';
const NAME = 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64';

const ec2 = mockClient(EC2Client);

const ec2Error = clientErrorsOf(EC2ServiceException);

function source(): Ec2ImageInfo {
  return new Ec2ImageInfo((region) => new EC2Client({ region, credentials: TEST_CREDENTIALS }));
}

const neuronImage = {
  ImageId: AMI,
  Name: NAME,
  Description: 'Amazon Linux AMI 2023.0.20251209 x86_64 ECS HVM EBS',
  ImageOwnerAlias: 'amazon',
  Architecture: 'x86_64' as const,
};

describe('Ec2ImageInfo', () => {
  beforeEach(() => {
    ec2.reset();
  });

  it('reads name, description, owner alias and architecture, deprecated and disabled images included', async () => {
    // Prepare
    ec2.on(DescribeImagesCommand).resolves({ Images: [neuronImage] });
    // Act
    const out = await source().describe('eu-west-1', [AMI, AMI]);
    // Assess
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(DescribeImagesCommand, {
      ImageIds: [AMI],
      IncludeDeprecated: true,
      IncludeDisabled: true,
    });
    expect(out).toEqual({
      images: [
        {
          imageId: AMI,
          name: NAME,
          description: 'Amazon Linux AMI 2023.0.20251209 x86_64 ECS HVM EBS',
          ownerAlias: 'amazon',
          architecture: 'x86_64',
        },
      ],
      missing: [],
    });
  });

  it('makes no request for no ids', async () => {
    // Act
    const out = await source().describe('eu-west-1', []);
    // Assess
    expect(out).toEqual({ images: [], missing: [] });
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 0);
  });

  it('returns a typed problem, never an exception, when access is denied', async () => {
    // Prepare
    ec2
      .on(DescribeImagesCommand)
      .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    // Act
    const out = await source().describe('eu-west-1', [AMI]);
    // Assess
    expect(out).toEqual({
      images: [],
      missing: [AMI],
      problem: { kind: 'access-denied', message: 'You are not authorized to perform this operation.' },
    });
  });

  it('returns a typed problem when throttled', async () => {
    // Prepare
    ec2.on(DescribeImagesCommand).rejects(ec2Error('RequestLimitExceeded', 'Request limit exceeded.'));
    // Act
    const out = await source().describe('eu-west-1', [AMI, OTHER]);
    // Assess
    expect(out.problem).toEqual({
      kind: 'failed',
      code: 'RequestLimitExceeded',
      message: 'Request limit exceeded.',
      failure: 'transient',
    });
    expect(out.missing).toEqual([AMI, OTHER]);
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 1);
  });

  it('keeps the images it can read when one id is unknown', async () => {
    // Prepare: together the call fails; alone, one works and one is not found
    ec2
      .on(DescribeImagesCommand, { ImageIds: [AMI, OTHER] })
      .rejects(ec2Error('InvalidAMIID.NotFound', `The image id '[${OTHER}]' does not exist`))
      .on(DescribeImagesCommand, { ImageIds: [AMI] })
      .resolves({ Images: [neuronImage] })
      .on(DescribeImagesCommand, { ImageIds: [OTHER] })
      .rejects(ec2Error('InvalidAMIID.NotFound', `The image id '[${OTHER}]' does not exist`));
    // Act
    const out = await source().describe('eu-west-1', [AMI, OTHER]);
    // Assess
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 3);
    expect(out.images.map((i) => i.imageId)).toEqual([AMI]);
    expect(out.missing).toEqual([OTHER]);
    expect(out.problem).toBeUndefined();
  });

  it(`looks up at most ${MAX_IMAGES} AMIs and lists the rest as missing`, async () => {
    // Prepare
    const ids = Array.from({ length: MAX_IMAGES + 3 }, (_, i) => `ami-${String(i).padStart(17, '0')}`);
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    // Act
    const out = await source().describe('eu-west-1', ids);
    // Assess
    expect(ec2.commandCalls(DescribeImagesCommand)[0]!.args[0].input.ImageIds).toHaveLength(MAX_IMAGES);
    expect(out.missing).toEqual(ids);
  });

  it('declares only ec2:DescribeImages', () => {
    expect(PERMISSIONS).toEqual(['ec2:DescribeImages']);
  });
});
