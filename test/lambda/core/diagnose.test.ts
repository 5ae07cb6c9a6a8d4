import { describe, expect, it } from 'vitest';
import { diagnose, imageLabel } from '../../../lambda/core/diagnose';

const AMI = 'ami-0abc1234def567890';
const ASG_CALLER = 'arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling';

describe('diagnose', () => {
  it('recognizes the ECS-optimized Neuron AMI of the motivating incident', () => {
    // Act
    const findings = diagnose({
      images: [
        {
          imageId: AMI,
          name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
          description: 'Amazon Linux AMI 2023.0.20251209 x86_64 ECS HVM EBS',
          ownerAlias: 'amazon',
          architecture: 'x86_64',
        },
      ],
      callers: [ASG_CALLER],
    });
    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain(
      `${AMI} (al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64) is the ECS-optimized Neuron AMI`,
    );
    expect(findings[0]).toContain('never join the ECS cluster');
    expect(findings[0]).toContain('most_recent=true');
  });

  it('words the Neuron AMI as a condition to check when the instance types are unknown', () => {
    // Act
    const [finding] = diagnose({
      images: [{ imageId: AMI, name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64' }],
    });
    // Assess: it never claims the group launched other instance types
    expect(finding).toContain('built for Inferentia and Trainium instances (inf1, inf2, trn1, trn2)');
    expect(finding).toContain('If the group launches other instance types, this AMI is the likely cause');
    expect(finding).not.toMatch(/; on other instance types/);
  });

  it.each([
    [['inf2.xlarge'], undefined],
    [['inf2.xlarge', 'trn1.2xlarge', 'inf1.6xlarge', 'trn1n.32xlarge'], undefined],
    [['c6i.xlarge'], 'but the group launched c6i.xlarge: on that type its instances'],
    [
      ['inf2.xlarge', 'm6i.large', 'c6i.xlarge'],
      'but the group launched c6i.xlarge, m6i.large: on those types',
    ],
  ])('judges the ECS Neuron AMI by the instance types %j', (instanceTypes, expected) => {
    // Act
    const findings = diagnose({
      images: [{ imageId: AMI, name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64' }],
      instanceTypes,
    });
    // Assess: on Inferentia and Trainium types the AMI is the right one, so it is no likely cause
    if (expected === undefined) expect(findings).toEqual([]);
    else {
      expect(findings).toHaveLength(1);
      expect(findings[0]).toContain(expected);
      expect(findings[0]).toContain('most_recent=true');
    }
  });

  it.each([
    ['amzn2-ami-ecs-inf-hvm-2.0.20240109-x86_64-ebs', 'ECS-optimized Neuron AMI'],
    ['al2023-ami-ecs-gpu-hvm-2023.0.20251209-kernel-6.1-x86_64', 'a GPU variant'],
    ['Deep Learning AMI Neuron (Ubuntu 22.04) 20251201', 'a Neuron (Inferentia/Trainium) image'],
    ['al2023-ami-minimal-2023.9.20251208.0-kernel-6.1-x86_64', 'a minimal image'],
    ['bottlerocket-aws-ecs-2-x86_64-v1.28.0-abc', 'a Bottlerocket image'],
    ['Windows_Server-2022-English-Full-ECS_Optimized-2025.12.10', 'a Windows image'],
  ])('names the variant of %s', (name, text) => {
    // Act
    const findings = diagnose({ images: [{ imageId: AMI, name }] });
    // Assess
    expect(findings.join(' ')).toContain(text);
  });

  it.each([
    'al2023-ami-ecs-hvm-2023.0.20251209-kernel-6.1-x86_64',
    'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
    'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20251201',
  ])('finds nothing special in the plain image %s', (name) => {
    // Act & Assess
    expect(diagnose({ images: [{ imageId: AMI, name }] })).toEqual([]);
  });

  it('recognizes Windows by its platform even without a telling name', () => {
    // Act
    const findings = diagnose({ images: [{ imageId: AMI, name: 'golden-image-42', platform: 'windows' }] });
    // Assess
    expect(findings).toEqual([
      `${AMI} (golden-image-42) is a Windows image: Linux user data and agents do not run on it.`,
    ]);
  });

  it('says when the window mixes AMIs and architectures', () => {
    // Act
    const findings = diagnose({
      images: [
        { imageId: 'ami-01', name: 'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64' },
        { imageId: 'ami-02', name: 'al2023-ami-2023.9.20251208.0-kernel-6.1-arm64' },
      ],
    });
    // Assess
    expect(findings).toEqual([
      "The window's AMIs mix architectures (arm64, x86_64): an image for one architecture cannot run on instance types of the other.",
      '2 different AMIs were launched recently: the launch template or its AMI parameter changed meanwhile, or an AMI lookup resolves differently over time.',
    ]);
  });

  it('explains failed launch calls, most frequent first, and ignores dry runs', () => {
    // Prepare
    const failedAttempts = [
      { errorCode: 'Client.DryRunOperation', count: 5 },
      { errorCode: 'UnauthorizedOperation', count: 1 },
      { errorCode: 'InsufficientInstanceCapacity', count: 3 },
      { errorCode: 'InsufficientInstanceCapacity', count: 1 },
      { errorCode: 'SomethingNew', count: 2 },
    ];
    // Act
    const findings = diagnose({ images: [], failedAttempts });
    // Assess
    expect(findings).toEqual([
      '4 launch calls failed with InsufficientInstanceCapacity: likely EC2 had no capacity for the instance type in that zone.',
      '2 launch calls failed with SomethingNew.',
      '1 launch call failed with UnauthorizedOperation: likely the launching role lacks a permission (often kms:CreateGrant on the EBS key, or iam:PassRole for the instance profile).',
    ]);
  });

  it('names callers other than Auto Scaling, and Karpenter apart', () => {
    // Act
    const findings = diagnose({
      images: [],
      callers: [
        ASG_CALLER,
        'autoscaling.amazonaws.com',
        'arn:aws:sts::123456789012:assumed-role/KarpenterControllerRole-prod/1733821200',
        'arn:aws:sts::123456789012:assumed-role/ci-deployer/session-42',
      ],
    });
    // Assess
    expect(findings).toEqual([
      'Karpenter made some of the launches (arn:aws:sts::123456789012:assumed-role/KarpenterControllerRole-prod/1733821200): check its NodePool and EC2NodeClass AMI selector.',
      'Launches were also made by arn:aws:sts::123456789012:assumed-role/ci-deployer/session-42, not by Auto Scaling: check what runs under that identity (CI, scripts, controllers).',
    ]);
  });

  it('finds nothing when Auto Scaling launched a plain image without failures', () => {
    // Act & Assess
    expect(diagnose({ images: [{ imageId: AMI }], callers: [ASG_CALLER], failedAttempts: [] })).toEqual([]);
  });
});

describe('imageLabel', () => {
  it.each([
    [{ imageId: AMI, name: 'x' }, `${AMI} (x)`],
    [{ imageId: AMI }, AMI],
  ])('%j → %s', (image, label) => {
    expect(imageLabel(image)).toBe(label);
  });
});
