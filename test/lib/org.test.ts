import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnParameter, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildOrganizationApp, readAppConfig } from '../../lib/app';
import { GUARD_PATTERNS, toEventBridgeJson } from '../../lib/event-patterns';
import { MEMBER_ROLE_NAME, OPERATOR_ROLE_NAME } from '../../lib/member-role';
import type { CentralGuardStack } from '../../lib/org-central';
import type { StackSetGuardsStack } from '../../lib/org-guards';
import { GuardStackSet, memberTemplate, orgAssetBucketName } from '../../lib/org-stackset';
import { trailChangePattern } from '../../lib/trail-alert';

const CENTRAL = '999999999999';
const ORG = 'o-abcdefghij';
const OUS = ['ou-ab12-abcdefgh', 'ou-ab12-ijklmnop'];
const BASE = {
  orgTargets: OUS.join(','),
  orgId: ORG,
  account: CENTRAL,
  homeRegion: 'eu-west-1',
  regions: 'us-east-1,eu-central-1',
};

/** `bundle` runs esbuild, so that the function's asset is staged as `cdk deploy` publishes it. */
function synth(values: Record<string, unknown>, bundle = false) {
  const app = new App(bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const built = buildOrganizationApp(
    app,
    readAppConfig((key) => values[key], {}),
  );
  return { app, built, assembly: app.synth() };
}

function nagFindings(stack: Stack): string[] {
  const annotations = Annotations.fromStack(stack);
  const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
  return [...annotations.findError('*', pattern), ...annotations.findWarning('*', pattern)].map(
    (e) => `${e.id}: ${String(e.entry.data).split(']')[0]}`,
  );
}

/** The stack sets of a template, by name. */
function stackSets(template: Template): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of Object.values(template.findResources('AWS::CloudFormation::StackSet'))) {
    out[r.Properties.StackSetName] = r.Properties;
  }
  return out;
}

const centralBusArn = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:${CENTRAL}:event-bus/launch-loop-guard`],
  ],
};

describe('organization mode central (the default)', () => {
  const { built, assembly } = synth(BASE);
  const central = built.main as CentralGuardStack;
  const template = Template.fromStack(central);
  const sets = stackSets(template);

  it("is the default mode and deploys the central stack and the central account's own forwarders", () => {
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      'LaunchLoopGuard',
      'LaunchLoopGuard-Forwarder-eu-central-1',
      'LaunchLoopGuard-Forwarder-us-east-1',
    ]);
    expect(central.constructor.name).toBe('CentralGuardStack');
  });

  it('admits only the target OUs of the organization to the central bus', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'launch-loop-guard' });
    const policies = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.Statement).toEqual({
      Sid: 'cdk-TargetOusPutEvents',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Bus/), 'Arn'] },
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': ORG },
        'ForAnyValue:StringLike': {
          'aws:PrincipalOrgPaths': OUS.map((ou) => `${ORG}/*/${ou}/*`),
        },
      },
    });
  });

  it("sends the central bus's launch events to the guard function and trail changes to the topic", () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter(
      (r) => r.Properties.EventBusName !== undefined,
    );
    // Behaviour changed (issue 20): trail changes have a rule per outcome (succeeded, attempted).
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual(
      [
        GUARD_PATTERNS.cloudTrailLaunch,
        GUARD_PATTERNS.autoScaling,
        trailChangePattern('ok'),
        trailChangePattern('attempt'),
      ].map((p) => toEventBridgeJson(p)),
    );
    expect(rules[3]?.Properties.Targets[0].InputTransformer.InputTemplate).toContain('attempted, denied');
    expect(rules[3]?.Properties.Targets[0].RoleArn).toBeDefined();
    const fn = central.getLogicalId(central.guard.handler.node.defaultChild as never);
    expect(rules[0]?.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [fn, 'Arn'] });
    expect(rules[1]?.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [fn, 'Arn'] });
    expect(rules[2]?.Properties.Targets[0].InputTransformer.InputTemplate).toContain('(account <account>)');
  });

  it('lets the guard assume the member role of this organization only, and read account names', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AssumeMemberRoles',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${MEMBER_ROLE_NAME}`]],
            },
            Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
          },
          {
            Sid: 'NameAccounts',
            Effect: 'Allow',
            Action: 'organizations:DescribeAccount',
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:organizations::*:account/${ORG}/*`]],
            },
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LLG_MEMBER_ROLE_ARN: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::{account}:role/${MEMBER_ROLE_NAME}`]],
          },
          LLG_HOME_ACCOUNT: { Ref: 'AWS::AccountId' },
        }),
      },
    });
  });

  it('lets the guard tell a target account from another after a denied AssumeRole (ListParents, LLG_TARGETS)', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'FindTargetAccounts',
            Effect: 'Allow',
            Action: 'organizations:ListParents',
            Resource: [
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:organizations::*:account/${ORG}/*`]] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:organizations::*:ou/${ORG}/*`]] },
            ],
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LLG_TARGETS: OUS.join(',') }) },
    });
  });

  it("lets the resumer assume the member accounts' operator role of this organization only, and names its ARN", () => {
    const resumerRole = central.getLogicalId(central.guard.resumer.role?.node.defaultChild as never);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as unknown[]).some(
        (r) => JSON.stringify(r) === JSON.stringify({ Ref: resumerRole }),
      ),
    );
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[],
    );
    expect(statements.filter((st) => JSON.stringify(st.Action).includes('sts:'))).toEqual([
      {
        Sid: 'AssumeOperatorRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${OPERATOR_ROLE_NAME}`]],
        },
        Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
      },
    ]);
    const resumerFn = central.getLogicalId(central.guard.resumer.node.defaultChild as never);
    expect(
      template.toJSON().Resources[resumerFn].Properties.Environment.Variables.LLG_OPERATOR_ROLE_ARN,
    ).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::{account}:role/${OPERATOR_ROLE_NAME}`]],
    });
    // The guard function assumes the member role only; the resumer the operator role only.
    const guardFn = central.getLogicalId(central.guard.handler.node.defaultChild as never);
    expect(
      template.toJSON().Resources[guardFn].Properties.Environment.Variables.LLG_OPERATOR_ROLE_ARN,
    ).toBeUndefined();
  });

  it('deploys the member roles by a service-managed stack set to the OUs, home region only', () => {
    const roles = sets['LaunchLoopGuard-MemberRoles'];
    expect(roles).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: OUS }, Regions: ['eu-west-1'] }],
    });
    const guardRole = central.getLogicalId(central.guard.handler.role?.node.defaultChild as never);
    expect(roles?.Parameters).toEqual([
      { ParameterKey: 'GuardRoleArn', ParameterValue: { 'Fn::GetAtt': [guardRole, 'Arn'] } },
      { ParameterKey: 'OperatorPrincipalArns', ParameterValue: expect.anything() },
    ]);
    expect(JSON.parse(String(roles?.TemplateBody))).toEqual(
      Template.fromStack(central.memberRolesTemplate).toJSON(),
    );
  });

  it('deploys the forwarders by a stack set to every region of the OUs, after the roles', () => {
    const forwarders = sets['LaunchLoopGuard-Forwarders'];
    expect(forwarders).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: OUS },
          Regions: ['eu-west-1', 'us-east-1', 'eu-central-1'],
        },
      ],
    });
    const setIds = Object.keys(template.findResources('AWS::CloudFormation::StackSet'));
    const fwd = template.findResources('AWS::CloudFormation::StackSet', {
      Properties: { StackSetName: 'LaunchLoopGuard-Forwarders' },
    });
    expect(Object.values(fwd)[0]?.DependsOn).toEqual(setIds.filter((id) => id.startsWith('MemberRoles')));
  });

  it('forwards every guard pattern of a member account to the central bus', () => {
    const fwd = Template.fromStack(central.forwarderTemplate);
    const rules = Object.values(fwd.findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual(
      Object.values(GUARD_PATTERNS).map((p) => toEventBridgeJson(p)),
    );
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: centralBusArn,
          RoleArn: expect.any(Object),
          DeadLetterConfig: expect.any(Object),
        }),
      ]);
    }
  });

  it("gives the member role exactly the guard's calls, trusted by the guard's role within the organization", () => {
    const roles = Template.fromStack(central.memberRolesTemplate);
    const member = Object.values(
      roles.findResources('AWS::IAM::Role', { Properties: { RoleName: MEMBER_ROLE_NAME } }),
    )[0];
    expect(member?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: { Ref: 'GuardRoleArn' } },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    ]);
    const groupArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':autoscaling:*:',
          { Ref: 'AWS::AccountId' },
          ':autoScalingGroup:*:autoScalingGroupName/*',
        ],
      ],
    };
    expect(member?.Properties.Policies).toEqual([
      {
        PolicyName: 'Guard',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'ReadOnlyDescribe',
              Effect: 'Allow',
              // What a single-account guard reads in its own account (issue 23): ECS registration,
              // EC2 instances, launch templates and the instance role's check besides Auto Scaling.
              Action: [
                'autoscaling:DescribeAutoScalingGroups',
                'autoscaling:DescribeLifecycleHooks',
                'autoscaling:DescribeScalingActivities',
                'autoscaling:DescribeWarmPool',
                'ec2:DescribeImages',
                // The fate of a launch outside any group: its status checks (issue 24).
                'ec2:DescribeInstanceStatus',
                'ec2:DescribeInstances',
                'ec2:DescribeLaunchTemplateVersions',
                // The cost line's Spot prices, in the member account's own zones (issue 22).
                'ec2:DescribeSpotPriceHistory',
                'ecs:DescribeCapacityProviders',
                'ecs:DescribeClusters',
                'ecs:DescribeContainerInstances',
                'ecs:ListClusters',
                'ecs:ListContainerInstances',
              ],
              Resource: '*',
            },
            // Behaviour changed (issue 20): tag writes limited to the guard's keys, and never a
            // suspension of an exempt group.
            {
              Sid: 'AutoScalingGroupsOfThisAccount',
              Effect: 'Allow',
              Action: 'autoscaling:SuspendProcesses',
              Resource: groupArn,
            },
            {
              Sid: 'GuardTagsOnly',
              Effect: 'Allow',
              Action: 'autoscaling:CreateOrUpdateTags',
              Resource: groupArn,
              Condition: {
                'ForAllValues:StringLike': { 'aws:TagKeys': ['launch-loop-guard:*'] },
                Null: { 'aws:TagKeys': 'false' },
              },
            },
            {
              Sid: 'NeverSuspendExemptGroups',
              Effect: 'Deny',
              Action: 'autoscaling:SuspendProcesses',
              Resource: '*',
              Condition: {
                StringEqualsIgnoreCase: { 'autoscaling:ResourceTag/launch-loop-guard:exempt': 'true' },
              },
            },
            // The instance-role check reads this account's profiles and roles only (issue 20), as
            // the guard's own role does, and never simulates a role AWS reserves.
            {
              Sid: 'InstanceProfilesOfThisAccount',
              Effect: 'Allow',
              Action: 'iam:GetInstanceProfile',
              Resource: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':iam::',
                    { Ref: 'AWS::AccountId' },
                    ':instance-profile/*',
                  ],
                ],
              },
            },
            {
              Sid: 'SimulateRolesOfThisAccount',
              Effect: 'Allow',
              Action: 'iam:SimulatePrincipalPolicy',
              Resource: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/*'],
                ],
              },
            },
            {
              Sid: 'NeverSimulateReservedRoles',
              Effect: 'Deny',
              Action: 'iam:SimulatePrincipalPolicy',
              Resource: [
                {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':iam::',
                      { Ref: 'AWS::AccountId' },
                      ':role/aws-service-role/*',
                    ],
                  ],
                },
                {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':iam::',
                      { Ref: 'AWS::AccountId' },
                      ':role/aws-reserved/*',
                    ],
                  ],
                },
              ],
            },
          ],
        },
      },
    ]);
    const operator = Object.values(
      roles.findResources('AWS::IAM::Role', { Properties: { RoleName: OPERATOR_ROLE_NAME } }),
    )[0];
    // Behaviour changed (issue 20): named principals (a parameter), not the whole central account.
    expect(operator?.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      AWS: { Ref: 'OperatorPrincipalArns' },
    });
    expect(
      operator?.Properties.Policies[0].PolicyDocument.Statement.flatMap(
        (s: { Action: string[] }) => s.Action,
      ),
    ).toEqual([
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:DescribeWarmPool',
      'autoscaling:ResumeProcesses',
      'autoscaling:DeleteTags',
    ]);
  });

  it('keeps the central stack and both member templates cdk-nag clean', () => {
    expect(nagFindings(central)).toEqual([]);
    expect(nagFindings(central.forwarderTemplate)).toEqual([]);
    expect(nagFindings(central.memberRolesTemplate)).toEqual([]);
  });
});

describe('organization mode stackset', () => {
  const { built, assembly } = synth({ ...BASE, orgMode: 'stackset', orgCallAs: 'SELF' }, true);
  const main = built.main as StackSetGuardsStack;
  const template = Template.fromStack(main);
  const sets = stackSets(template);
  const bucket = `launch-loop-guard-org-assets-${CENTRAL}-eu-west-1`;

  it("deploys the guard to each account's home region and forwarders to its other regions", () => {
    expect(sets['LaunchLoopGuard-Guard']).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: OUS }, Regions: ['eu-west-1'] }],
    });
    expect(sets['LaunchLoopGuard-Forwarders']).toMatchObject({
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: OUS }, Regions: ['us-east-1', 'eu-central-1'] },
      ],
    });
    const guardTemplate = JSON.parse(String(sets['LaunchLoopGuard-Guard']?.TemplateBody));
    expect(guardTemplate).toEqual(Template.fromStack(main.guardTemplate).toJSON());
  });

  it("points the member guard's code at the organization's bucket, and cdk deploy publishes it there", () => {
    Template.fromStack(main.guardTemplate).hasResourceProperties('AWS::Lambda::Function', {
      Code: { S3Bucket: bucket, S3Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') },
    });
    const artifact = assembly.getStackByName('LaunchLoopGuard');
    const manifestFile = artifact.dependencies.find((d) => d.id.endsWith('.assets'));
    expect(manifestFile).toBeDefined();
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${manifestFile?.id}.json`), 'utf8'));
    const zips = Object.values(
      manifest.files as Record<
        string,
        { source: { packaging?: string; path: string }; destinations: Record<string, { bucketName: string }> }
      >,
    ).filter((f) => f.source.packaging === 'zip');
    // The guard function and the resumer every guard deploys.
    expect(zips).toHaveLength(2);
    expect(zips.some((z) => /^stackset\.LaunchLoopGuard\.Guard\/asset\./.test(z.source.path))).toBe(true);
    for (const zip of zips)
      expect(Object.values(zip.destinations ?? {}).map((d) => d.bucketName)).toEqual([bucket]);
  });

  it('lets the organization read the asset bucket, nobody else', () => {
    const assets = Template.fromStack(built.assets as Stack);
    assets.hasResourceProperties('AWS::S3::Bucket', { BucketName: bucket });
    assets.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'OrganizationReads',
            Principal: { AWS: '*' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
          }),
        ]),
      },
    });
    expect(assembly.getStackByName('LaunchLoopGuard').dependencies.map((d) => d.id)).toContain(
      'LaunchLoopGuard-OrgAssets',
    );
  });

  it('keeps every stack and template cdk-nag clean', () => {
    expect(nagFindings(main)).toEqual([]);
    expect(nagFindings(built.assets as Stack)).toEqual([]);
    expect(nagFindings(main.guardTemplate)).toEqual([]);
    expect(nagFindings(main.forwarderTemplate as Stack)).toEqual([]);
  });
});

describe('organization context', () => {
  it.each([
    [{ orgMode: 'hub' }, /context orgMode must be central or stackset, got "hub"/],
    [{ orgTargets: 'ou-ab12-abcdefgh,acct-1' }, /context orgTargets must hold OU ids .* got "acct-1"/],
    [{ orgTargets: '' }, /context orgTargets must list the OUs/],
    [{ orgId: 'org-123' }, /context orgId must be the organization id .* got "org-123"/],
    [{ account: '12345' }, /context account must be the 12-digit id .* got "12345"/],
    [{ orgCallAs: 'ADMIN' }, /context orgCallAs must be SELF or DELEGATED_ADMIN, got "ADMIN"/],
  ])('refuses %o, naming the key', (values, message) => {
    expect(() => readAppConfig((key) => ({ ...BASE, ...values })[key as keyof typeof BASE], {})).toThrow(
      message,
    );
  });

  it('refuses auto-resume in central mode, naming the key', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = readAppConfig((key) => ({ ...BASE, autoResume: 'true' })[key as keyof typeof BASE], {});
    expect(() => buildOrganizationApp(app, config)).toThrow(
      /context autoResume is not supported with orgMode=central/,
    );
  });

  it('leaves a one-account app alone', () => {
    expect(readAppConfig(() => undefined, {}).org).toBeUndefined();
  });
});

describe('memberTemplate', () => {
  it('hands a template over 51,200 bytes to the stack set as an S3 URL, published with the parent', () => {
    // Prepare: a member stack whose template is too large for TemplateBody
    const app = new App();
    const parent = new Stack(app, 'Parent', {
      env: { account: CENTRAL, region: 'eu-west-1' },
      synthesizer: new DefaultStackSynthesizer({
        fileAssetsBucketName: orgAssetBucketName(CENTRAL, 'eu-west-1'),
      }),
    });
    // Act
    const member = memberTemplate(parent, 'Big', (memberApp, synthesizer) => {
      const stack = new Stack(memberApp, 'Big', { synthesizer });
      for (let i = 0; i < 60; i += 1) {
        new CfnParameter(stack, `P${i}`, { type: 'String', default: 'x', description: 'd'.repeat(900) });
      }
      return stack;
    });
    new GuardStackSet(parent, 'Set', {
      stackSetName: 'Big',
      description: 'big',
      template: member.source,
      targets: [OUS[0] as string],
      regions: ['eu-west-1'],
    });
    // Assess
    expect('url' in member.source).toBe(true);
    const props = Template.fromStack(parent).findResources('AWS::CloudFormation::StackSet');
    const url = JSON.stringify(Object.values(props)[0]?.Properties.TemplateURL);
    expect(url).toContain(`launch-loop-guard-org-assets-${CENTRAL}-eu-west-1`);
    expect(url).toMatch(/[0-9a-f]{64}\.json/);
  });
});
