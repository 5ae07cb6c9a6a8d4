/**
 * CloudFormation StackSets for an AWS Organization: a stack set of one synthesized template,
 * deployed with service-managed permissions to organizational units, new accounts included.
 *
 * Why `CfnStackSet` and not the `cdk-stacksets` package: that package is still 0.0.x (its API may
 * change in any release) and would become a dependency of every app that uses this library;
 * what the guard needs is small: synthesize a stack in an app of its own, register its assets
 * (the function's bundle) with the parent stack so that `cdk deploy` publishes them to a bucket
 * the organization can read, and point a `CfnStackSet` at the template.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import {
  App,
  Duration,
  type FileAssetLocation,
  FileAssetPackaging,
  type FileAssetSource,
  type ISynthesisSession,
  RemovalPolicy,
  Stack,
  type StackProps,
  StackSynthesizer,
  Stage,
} from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { accessLogsBucket } from './launch-loop-guard-stack';
import { denyGrantsExceptForAwsResources } from './least-privilege';

/** Organization ids, as AWS Organizations writes them. */
export const ORG_ID = {
  organization: /^o-[a-z0-9]{10,32}$/,
  /** An organizational unit (`ou-…`) or the root (`r-…`). */
  target: /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/,
  account: /^\d{12}$/,
} as const;

/** Who creates the stack sets: the management account (`SELF`) or a delegated administrator. */
export type StackSetCaller = 'SELF' | 'DELEGATED_ADMIN';

/** Props of {@link GuardStackSet}. */
/** A stack set's template: the JSON itself (up to 51,200 bytes) or an S3 URL; exactly one is set. */
export interface StackSetTemplate {
  /** The template's JSON. */
  readonly body?: string;
  /** The template's S3 URL. */
  readonly url?: string;
}

export interface GuardStackSetProps {
  /** The stack set's name (also the prefix of the member stacks' names). */
  readonly stackSetName: string;
  readonly description: string;
  /** The template: the JSON itself (up to 51,200 bytes) or an S3 URL. */
  readonly template: StackSetTemplate;
  /** Organizational units (or the root) whose accounts get the stack, now and when they join. */
  readonly targets: string[];
  /** The regions of every target account that get the stack. */
  readonly regions: string[];
  /**
   * Values of the template's parameters.
   * @default - none
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * `SELF` from the management account, `DELEGATED_ADMIN` from a delegated administrator.
   * @default 'DELEGATED_ADMIN'
   */
  readonly callAs?: StackSetCaller;
}

/**
 * One service-managed stack set with automatic deployment: accounts that join a target OU get
 * the stack, accounts that leave lose it (stacks are not retained, so nothing is left behind
 * unguarded and unlisted).
 */
export class GuardStackSet extends Construct {
  public readonly stackSet: cloudformation.CfnStackSet;

  constructor(scope: Construct, id: string, props: GuardStackSetProps) {
    super(scope, id);
    const bad = props.targets.filter((t) => !ORG_ID.target.test(t));
    if (props.targets.length === 0 || bad.length > 0) {
      throw new Error(`GuardStackSet: targets must be OU or root ids, got "${props.targets.join(',')}"`);
    }
    if (props.regions.length === 0) throw new Error('GuardStackSet: regions must not be empty');
    this.stackSet = new cloudformation.CfnStackSet(this, 'StackSet', {
      stackSetName: props.stackSetName,
      description: props.description,
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs ?? 'DELEGATED_ADMIN',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      // The templates name their IAM roles (the member roles are found by name).
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      // Concurrent operations queue instead of failing when the organization changes meanwhile.
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 25,
        failureTolerancePercentage: 10,
      },
      ...(props.template.body !== undefined
        ? { templateBody: props.template.body }
        : { templateUrl: props.template.url }),
      ...(props.parameters
        ? {
            parameters: Object.entries(props.parameters).map(([parameterKey, parameterValue]) => ({
              parameterKey,
              parameterValue,
            })),
          }
        : {}),
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...props.targets] },
          regions: [...props.regions],
        },
      ],
    });
  }
}

/**
 * A stack synthesized in an app of its own, as the template of a stack set. File assets are
 * registered with `parent`, whose `cdk deploy` publishes them (see {@link OrgAssetsStack}).
 */
export interface MemberTemplate<S extends Stack> {
  readonly stack: S;
  /** The synthesized template. */
  readonly template: Record<string, unknown>;
  /** The template as an inline body when it fits (51,200 bytes), else its S3 URL. */
  readonly source: { readonly body: string } | { readonly url: string };
}

/** CloudFormation's largest inline template body. */
export const TEMPLATE_BODY_MAX = 51_200;

/** Hands a member stack's assets to the parent stack's synthesizer. */
class ParentAssetSynthesizer extends StackSynthesizer {
  constructor(
    private readonly parent: Stack,
    private readonly dir: string,
  ) {
    super();
  }

  override get bootstrapQualifier(): string | undefined {
    return undefined;
  }

  addFileAsset(asset: FileAssetSource): FileAssetLocation {
    if (asset.fileName === undefined) {
      throw new Error('stack set templates take file assets from files only');
    }
    const fileName = path.isAbsolute(asset.fileName) ? asset.fileName : path.join(this.dir, asset.fileName);
    return this.parent.synthesizer.addFileAsset({ ...asset, fileName: this.relative(fileName) });
  }

  addDockerImageAsset(): never {
    throw new Error('stack set templates cannot take container image assets');
  }

  synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    this.emitArtifact(session);
  }

  /** Asset paths are written relative to the parent's cloud assembly. */
  relative(fileName: string): string {
    return path.relative(Stage.of(this.parent)?.outdir ?? '.', fileName);
  }
}

/**
 * Synthesize `build`'s stack in an app of its own (inside the parent's cloud assembly) and
 * return its template. Context that changes synthesis (bundling) is passed on.
 */
export function memberTemplate<S extends Stack>(
  parent: Stack,
  id: string,
  build: (app: App, synthesizer: StackSynthesizer) => S,
): MemberTemplate<S> {
  const outdir = path.join(Stage.of(parent)?.outdir ?? '.', `stackset.${parent.stackName}.${id}`);
  const bundling = parent.node.tryGetContext('aws:cdk:bundling-stacks');
  const app = new App({
    outdir,
    autoSynth: false,
    ...(bundling === undefined ? {} : { context: { 'aws:cdk:bundling-stacks': bundling } }),
  });
  const synthesizer = new ParentAssetSynthesizer(parent, outdir);
  const stack = build(app, synthesizer);
  const assembly = app.synth();
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const template = artifact.template as Record<string, unknown>;
  const body = JSON.stringify(template);
  if (Buffer.byteLength(body, 'utf8') <= TEMPLATE_BODY_MAX) return { stack, template, source: { body } };
  const location = parent.synthesizer.addFileAsset({
    fileName: synthesizer.relative(artifact.templateFullPath),
    packaging: FileAssetPackaging.FILE,
    sourceHash: createHash('sha256').update(body).digest('hex'),
  });
  return { stack, template, source: { url: location.httpUrl } };
}

/**
 * A member template ({@link memberTemplate}) and the stack set that deploys it: construct
 * `<id>StackSet`, stack set `<prefix>-<id>`. `props` sees the member stack (for its parameters).
 */
export function memberStackSet<S extends Stack>(
  parent: Stack,
  id: string,
  prefix: string,
  build: (app: App, synthesizer: StackSynthesizer) => S,
  props: (stack: S) => Omit<GuardStackSetProps, 'stackSetName' | 'template'>,
): { readonly stack: S; readonly stackSet: GuardStackSet } {
  const member = memberTemplate(parent, id, build);
  const stackSet = new GuardStackSet(parent, `${id}StackSet`, {
    stackSetName: `${prefix}-${id}`,
    template: member.source,
    ...props(member.stack),
  });
  return { stack: member.stack, stackSet };
}

/** The name of the organization's asset bucket of an account and region. */
export function orgAssetBucketName(account: string, region: string): string {
  return `launch-loop-guard-org-assets-${account}-${region}`;
}

/** Props of {@link OrgAssetsStack}. */
export interface OrgAssetsStackProps extends StackProps {
  /** The organization whose accounts may read the assets. */
  readonly organizationId: string;
  /**
   * Meet AWS Control Tower's S3 controls: a KMS key of its own (organization principals may
   * decrypt through S3 only), object lock and EventBridge notifications.
   * @default false
   */
  readonly controlTower?: boolean;
  /**
   * Name of the bucket for the asset bucket's S3 server access logs.
   * @default - no server access logs
   */
  readonly accessLogsBucketName?: string;
}

/**
 * The bucket the organization reads stack set assets from (the guard function's bundle, large
 * templates). The deploying account's CDK file-publishing role writes to it; principals of the
 * organization may only read. Deploy it before the stack that uses it (the app does).
 */
export class OrgAssetsStack extends Stack {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: OrgAssetsStackProps) {
    super(scope, id, { description: 'launch-loop-guard: assets the organization reads', ...props });
    const strict = props.controlTower === true;
    const key = strict ? this.assetKey(props.organizationId) : undefined;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: orgAssetBucketName(this.account, this.region),
      // SSE-S3 by default: a reader in another account needs no key grant (SSE-KMS with the AWS
      // managed key cannot be shared across accounts). With controlTower, a key of its own that
      // the organization may decrypt with, through S3 only.
      ...(key === undefined
        ? { encryption: s3.BucketEncryption.S3_MANAGED }
        : { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true }),
      objectLockEnabled: strict,
      ...(props.accessLogsBucketName === undefined
        ? {}
        : {
            serverAccessLogsBucket: accessLogsBucket(this, props.accessLogsBucketName),
            serverAccessLogsPrefix: 'launch-loop-guard-org-assets/',
          }),
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationReads',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      }),
    );
    if (strict) {
      (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
    }
    const publisher = new iam.ArnPrincipal(
      `arn:${this.partition}:iam::${this.account}:role/cdk-hnb659fds-file-publishing-role-${this.account}-${this.region}`,
    );
    this.bucket.grantReadWrite(publisher);
    if (props.accessLogsBucketName !== undefined) return;
    NagSuppressions.addResourceSuppressions(
      this.bucket,
      [
        {
          id: 'AwsSolutions-S1',
          reason:
            'The bucket holds only build artifacts published by cdk deploy; CloudTrail data events can record reads if wanted, and an access-log bucket would need its own.',
        },
      ],
      true,
    );
  }

  /** The asset key: principals of the organization may decrypt, through S3 in this region only. */
  private assetKey(organizationId: string): kms.Key {
    const key = new kms.Key(this, 'Key', {
      description: 'launch-loop-guard: encrypts the assets the organization reads',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationDecryptsThroughS3',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'aws:PrincipalOrgID': organizationId,
            'kms:ViaService': `s3.${this.region}.amazonaws.com`,
          },
        },
      }),
    );
    key.addToResourcePolicy(denyGrantsExceptForAwsResources());
    return key;
  }
}
