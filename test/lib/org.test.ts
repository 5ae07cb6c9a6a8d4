/** Organization mode central (the default), and the organization settings the app refuses. */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildOrganizationApp, readAppConfig } from '../../lib/app';
import { GUARD_PATTERNS, toEventBridgeJson } from '../../lib/event-patterns';
import { MEMBER_ROLE_NAME, OPERATOR_ROLE_NAME } from '../../lib/member-role';
import type { CentralGuardStack } from '../../lib/org-central';
import { trailChangePattern } from '../../lib/trail-alert';
import { BASE, centralBusArn, nagFindings, ORG, OUS, partitionArn, stackSets, synth } from './org-support';
import { forwardingRules } from './stacks';

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
            Resource: partitionArn(`:iam::*:role/${MEMBER_ROLE_NAME}`),
            Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
          },
          {
            Sid: 'NameAccounts',
            Effect: 'Allow',
            Action: 'organizations:DescribeAccount',
            Resource: partitionArn(`:organizations::*:account/${ORG}/*`),
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LLG_MEMBER_ROLE_ARN: partitionArn(`:iam::{account}:role/${MEMBER_ROLE_NAME}`),
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
              partitionArn(`:organizations::*:account/${ORG}/*`),
              partitionArn(`:organizations::*:ou/${ORG}/*`),
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
        Resource: partitionArn(`:iam::*:role/${OPERATOR_ROLE_NAME}`),
        Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
      },
    ]);
    const resumerFn = central.getLogicalId(central.guard.resumer.node.defaultChild as never);
    expect(
      template.toJSON().Resources[resumerFn].Properties.Environment.Variables.LLG_OPERATOR_ROLE_ARN,
    ).toEqual(partitionArn(`:iam::{account}:role/${OPERATOR_ROLE_NAME}`));
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
    const rules = forwardingRules(fwd);
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

  it('keeps the central stack and both member templates cdk-nag clean', () => {
    expect(nagFindings(central)).toEqual([]);
    expect(nagFindings(central.forwarderTemplate)).toEqual([]);
    expect(nagFindings(central.memberRolesTemplate)).toEqual([]);
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
