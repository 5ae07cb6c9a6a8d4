/**
 * The IAM statements every role of the guard builds its Auto Scaling access from, so that the
 * guard's role, the resumer's, and the member and operator roles of an organization follow one
 * rule: reads on `*` (Auto Scaling's Describe calls have no resource-level permissions), writes on
 * the groups of this account only, tag writes on the guard's own tag keys only, and never a
 * suspension of a group tagged `launch-loop-guard:exempt=true`.
 *
 * Auto Scaling honours `aws:TagKeys`, `aws:RequestTag/…` and `autoscaling:ResourceTag/…` (user
 * guide, "Tags for security":
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-tagging.html#tag-security).
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TAG } from '../lambda/core/group-settings';
import { GUARD_PERMISSIONS } from '../lambda/permissions';

/** The prefix of every tag the guard writes or removes. */
export const GUARD_TAG_PREFIX = 'launch-loop-guard:';

/** Auto Scaling actions that write tags: limited to {@link GUARD_TAG_PREFIX} keys. */
export const TAG_WRITE_ACTIONS: readonly string[] = [
  'autoscaling:CreateOrUpdateTags',
  'autoscaling:DeleteTags',
];

/** Whether an action only reads (Describe, List, Get, and IAM's policy simulation). */
export function isReadOnly(action: string): boolean {
  return /^[a-z0-9-]+:(Describe|List|Get)/.test(action) || action === 'iam:SimulatePrincipalPolicy';
}

/** The Auto Scaling groups of the stack's account, in any region. */
export function groupsOfThisAccount(): string {
  return `arn:${Aws.PARTITION}:autoscaling:*:${Aws.ACCOUNT_ID}:autoScalingGroup:*:autoScalingGroupName/*`;
}

/**
 * Statements for a list of Auto Scaling actions and read-only calls: `ReadOnlyDescribe` on `*`,
 * `AutoScalingGroupsOfThisAccount` for process changes, `GuardTagsOnly` for tag writes (every key
 * in the request starts with `launch-loop-guard:`), and `NeverSuspendExemptGroups`, a deny, when
 * the actions include `SuspendProcesses`.
 *
 * @param sidPrefix prefixes each statement id (a role may hold statements from several lists)
 */
export function autoScalingStatements(actions: readonly string[], sidPrefix = ''): iam.PolicyStatement[] {
  const groupArn = groupsOfThisAccount();
  const reads = actions.filter(isReadOnly);
  const tagWrites = actions.filter((a) => TAG_WRITE_ACTIONS.includes(a));
  const writes = actions.filter((a) => !reads.includes(a) && !tagWrites.includes(a));
  const kinds: readonly iam.PolicyStatementProps[] = [
    { sid: 'ReadOnlyDescribe', actions: reads, resources: ['*'] },
    { sid: 'AutoScalingGroupsOfThisAccount', actions: writes, resources: [groupArn] },
    {
      sid: 'GuardTagsOnly',
      actions: tagWrites,
      resources: [groupArn],
      conditions: {
        // Every key of the request is one of the guard's, and the request names at least one.
        'ForAllValues:StringLike': { 'aws:TagKeys': [`${GUARD_TAG_PREFIX}*`] },
        Null: { 'aws:TagKeys': 'false' },
      },
    },
  ];
  const statements = kinds
    .filter((kind) => (kind.actions?.length ?? 0) > 0)
    .map((kind) => new iam.PolicyStatement({ ...kind, sid: `${sidPrefix}${kind.sid}` }));
  if (writes.includes('autoscaling:SuspendProcesses')) {
    statements.push(exemptDeny(`${sidPrefix}NeverSuspendExemptGroups`));
  }
  return statements;
}

/**
 * Defence in depth beside the guard's own check of the tag: IAM refuses `SuspendProcesses` on a
 * group tagged `launch-loop-guard:exempt=true` (any case, as the guard reads it).
 */
export function exemptDeny(sid: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    actions: ['autoscaling:SuspendProcesses'],
    resources: ['*'],
    conditions: { StringEqualsIgnoreCase: { [`autoscaling:ResourceTag/${TAG.exempt}`]: 'true' } },
  });
}

/**
 * A key policy statement: nobody may create a grant on the key unless it is for an AWS resource
 * or the caller is an AWS service (AWS Control Tower's `kms_create_grant_aws_service_check`).
 */
export function denyGrantsExceptForAwsResources(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}

/**
 * The instance-role check's IAM reads: instance profiles and roles of this account only, and never
 * a simulation of a role at the paths AWS reserves for its service-linked and SSO roles (they are
 * never an instance profile's).
 */
export function instanceRoleReadStatements(
  actions: readonly string[],
  sidPrefix = '',
): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  if (actions.includes('iam:GetInstanceProfile'))
    statements.push(
      new iam.PolicyStatement({
        sid: `${sidPrefix}InstanceProfilesOfThisAccount`,
        actions: ['iam:GetInstanceProfile'],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:instance-profile/*`],
      }),
    );
  if (actions.includes('iam:SimulatePrincipalPolicy'))
    statements.push(
      new iam.PolicyStatement({
        sid: `${sidPrefix}SimulateRolesOfThisAccount`,
        actions: ['iam:SimulatePrincipalPolicy'],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`],
      }),
      new iam.PolicyStatement({
        sid: `${sidPrefix}NeverSimulateReservedRoles`,
        effect: iam.Effect.DENY,
        actions: ['iam:SimulatePrincipalPolicy'],
        resources: [
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/*`,
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-reserved/*`,
        ],
      }),
    );
  return statements;
}

/**
 * Add each action of the guard function's adapters (`GUARD_PERMISSIONS`) to its role, on the
 * narrowest resources that action allows.
 *
 * @throws Error for an action no rule here can scope
 */
export function grantAdapterPermissions(
  role: iam.Role,
  on: { readonly tableArn: string; readonly topicArns: readonly string[]; readonly deadlineQueueArn: string },
): void {
  const autoScalingWrites: string[] = [];
  const topics = [...on.topicArns];
  const byResource = new Map<string, { resources: string[]; actions: string[] }>();
  const add = (sid: string, resources: string[], action: string) => {
    const entry = byResource.get(sid) ?? { resources, actions: [] };
    entry.actions.push(action);
    byResource.set(sid, entry);
  };
  for (const action of GUARD_PERMISSIONS) {
    const [service, name = ''] = action.split(':');
    if (service === 'dynamodb') add('LaunchTable', [on.tableArn], action);
    else if (service === 'sns') add('AlertTopics', topics, action);
    else if (name.startsWith('Describe') || (service === 'ecs' && name.startsWith('List')))
      // Read-only calls: the clusters and groups to read are only known at run time.
      add('ReadOnlyDescribe', ['*'], action);
    else if (service === 'autoscaling') autoScalingWrites.push(action);
    else if (service === 'sqs') add('DeadlineQueue', [on.deadlineQueueArn], action);
    else if (action === 'iam:GetInstanceProfile')
      add(
        'InstanceProfilesOfThisAccount',
        [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:instance-profile/*`],
        action,
      );
    else if (action === 'pricing:GetProducts')
      // The Price List has no resources to name: AWS documents this action with `*` only.
      add('PriceList', ['*'], action);
    else if (action === 'iam:SimulatePrincipalPolicy')
      // Instance roles are found at run time; roles at the paths AWS reserves for its own
      // service-linked and SSO roles are never an instance profile's, and are denied below.
      add('SimulateRolesOfThisAccount', [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`], action);
    else {
      throw new Error(
        `LaunchLoopGuard: lambda/permissions.ts lists "${action}", which the construct cannot scope; add a rule for it`,
      );
    }
  }
  for (const [sid, { resources, actions }] of byResource) {
    role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources }));
  }
  for (const statement of autoScalingStatements(autoScalingWrites)) role.addToPolicy(statement);
  if (byResource.has('SimulateRolesOfThisAccount')) {
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'NeverSimulateReservedRoles',
        effect: iam.Effect.DENY,
        actions: ['iam:SimulatePrincipalPolicy'],
        resources: [
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/*`,
          `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-reserved/*`,
        ],
      }),
    );
  }
}
