/** Organization mode stackset, and member templates handed to a stack set. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnParameter, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { StackSetGuardsStack } from '../../lib/org-guards';
import { GuardStackSet, memberTemplate, orgAssetBucketName } from '../../lib/org-stackset';
import { BASE, CENTRAL, nagFindings, ORG, OUS, stackSets, synth } from './org-support';

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
