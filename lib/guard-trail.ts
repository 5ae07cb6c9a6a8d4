/** The trail the guard creates when asked (`createTrail`): its bucket, logs and key grants, pinned to this account. */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { ResolvedSettings } from './props';

/**
 * The multi-region trail `createTrail` asks for, writing management write events to a bucket of
 * its own; with `controlTower`, encrypted with the guard's key, object-locked and sent to
 * CloudWatch Logs.
 */
export function newGuardTrail(
  scope: Construct,
  key: kms.IKey,
  settings: ResolvedSettings,
  accessLogs: s3.IBucket | undefined,
  newLogGroup: (id: string) => logs.ILogGroup,
): cloudtrail.Trail {
  const strict = settings.controlTower;
  const bucket = new s3.Bucket(scope, 'TrailBucket', {
    ...(strict
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true }
      : { encryption: s3.BucketEncryption.S3_MANAGED }),
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // Object lock needs versioning; without a default retention it locks nothing by itself,
    // but lets an auditor put a legal hold or retention on a log file.
    versioned: strict,
    objectLockEnabled: strict,
    ...(accessLogs === undefined
      ? {}
      : { serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: 'launch-loop-guard-trail/' }),
    lifecycleRules: [
      {
        id: 'expire-trail-logs',
        expiration: Duration.days(settings.trailRetentionDays),
        ...(strict ? { noncurrentVersionExpiration: Duration.days(1) } : {}),
      },
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
    // Audit logs outlive the guard: an uninstall leaves the bucket (see the README).
    removalPolicy: RemovalPolicy.RETAIN,
  });
  if (strict) {
    // Straight on the bucket resource: the L2 `eventBridgeEnabled` would add a custom-resource
    // function (outside the VPC) to configure the same thing.
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
  }
  if (accessLogs === undefined) {
    NagSuppressions.addResourceSuppressions(bucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'No accessLogsBucket was given: the guard cannot make a log bucket that itself needs a log bucket. CloudTrail data events can record reads of the log files; the README says how to pass accessLogsBucket.',
      },
    ]);
  }
  const logGroup = strict ? newLogGroup('TrailLogs') : undefined;
  const trail = new cloudtrail.Trail(scope, 'Trail', {
    bucket,
    isMultiRegionTrail: true,
    includeGlobalServiceEvents: true,
    // Launches and trail changes are write calls: read events would only add cost.
    managementEvents: cloudtrail.ReadWriteType.WRITE_ONLY,
    enableFileValidation: true,
    ...(strict ? { encryptionKey: key, sendToCloudWatchLogs: true, cloudWatchLogGroup: logGroup } : {}),
  });
  if (strict) allowTrailToUseKey(scope, key, trail);
  pinTrailBucketPolicy(scope, bucket);
  return trail;
}

/**
 * The Trail construct grants `cloudtrail.amazonaws.com` the bucket with no condition: limit its
 * statements to this account's trails (the trail's own ARN would be a circular reference).
 */
function pinTrailBucketPolicy(scope: Construct, bucket: s3.Bucket): void {
  const policy = bucket.policy;
  if (policy === undefined) return;
  const resolved = Stack.of(scope).resolve(policy.document) as {
    Statement: { Principal?: { Service?: unknown }; Condition?: Record<string, Record<string, unknown>> }[];
  };
  const cfn = policy.node.defaultChild as s3.CfnBucketPolicy;
  resolved.Statement.forEach((statement, i) => {
    if (statement.Principal?.Service !== 'cloudtrail.amazonaws.com') return;
    const condition = statement.Condition ?? {};
    cfn.addPropertyOverride(`PolicyDocument.Statement.${i}.Condition`, {
      ...condition,
      StringEquals: { ...condition.StringEquals, 'aws:SourceAccount': Stack.of(scope).account },
    });
  });
}

/**
 * CloudTrail encrypts the log files with the guard's key: only for this account's trails
 * (docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
 */
function allowTrailToUseKey(scope: Construct, key: kms.IKey, trail: cloudtrail.Trail): void {
  const account = Stack.of(scope).account;
  const trailArns = `arn:${Aws.PARTITION}:cloudtrail:*:${account}:trail/*`;
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailOfThisAccountToEncrypt',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': account },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailArns },
      },
    }),
  );
  // CDK's LogsRole trusts cloudtrail.amazonaws.com with no condition: pin it to this trail.
  const logsRole = trail.node.tryFindChild('LogsRole') as iam.Role | undefined;
  const cfnRole = logsRole?.node.defaultChild as iam.CfnRole | undefined;
  cfnRole?.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
    StringEquals: { 'aws:SourceAccount': account },
  });
}
