import { DescribeImagesCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2ImageFinder, ImageSearchError, PERMISSIONS } from '../../../cli/check-ami-lookups/ec2-images';
import { incidentLookup } from './incident-lookup';

const ec2 = mockClient(EC2Client);

const client = () =>
  new EC2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

const lookup = incidentLookup('main.tf');

describe('Ec2ImageFinder', () => {
  beforeEach(() => {
    ec2.reset();
  });

  it('asks DescribeImages with the lookup owners and filters, every page', async () => {
    // Prepare
    ec2
      .on(DescribeImagesCommand)
      .resolvesOnce({
        Images: [
          {
            ImageId: 'ami-1',
            Name: 'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
            CreationDate: '2025-12-08T10:00:00.000Z',
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        Images: [
          {
            ImageId: 'ami-2',
            Name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
            CreationDate: '2025-12-09T10:00:00.000Z',
          },
          { ImageId: 'ami-3' },
        ],
      });
    // Act
    const images = await new Ec2ImageFinder(client()).find(lookup);
    // Assess
    expect(images).toEqual([
      {
        imageId: 'ami-1',
        name: 'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
        creationDate: '2025-12-08T10:00:00.000Z',
      },
      {
        imageId: 'ami-2',
        name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
        creationDate: '2025-12-09T10:00:00.000Z',
      },
    ]);
    expect(ec2).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
    expect(ec2).toHaveReceivedNthCommandWith(DescribeImagesCommand, 1, {
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-*-x86_64'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
      MaxResults: 1000,
    });
    expect(ec2).toHaveReceivedNthCommandWith(DescribeImagesCommand, 2, { NextToken: 'page-2' });
  });

  it('passes include_deprecated and executable_users as Terraform does', async () => {
    // Prepare
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    // Act
    await new Ec2ImageFinder(client()).find({
      ...lookup,
      owners: [],
      includeDeprecated: true,
      executableUsers: ['self'],
    });
    // Assess
    const input = ec2.commandCalls(DescribeImagesCommand)[0]!.args[0].input;
    expect(input.IncludeDeprecated).toBe(true);
    expect(input.ExecutableUsers).toEqual(['self']);
    expect(input.Owners).toBeUndefined();
  });

  it('wraps an SDK failure in ImageSearchError with the cause', async () => {
    // Prepare
    const denied = new EC2ServiceException({
      name: 'UnauthorizedOperation',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'You are not authorized to perform this operation.',
    });
    ec2.on(DescribeImagesCommand).rejects(denied);
    // Act
    const error = await new Ec2ImageFinder(client()).find(lookup).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ImageSearchError);
    expect((error as Error).message).toBe('DescribeImages failed for data.aws_ami.amazon_linux');
    expect((error as Error).cause).toBe(denied);
  });

  it('declares the one read-only action it calls', () => {
    expect(PERMISSIONS).toEqual(['ec2:DescribeImages']);
  });
});
