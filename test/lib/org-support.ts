/** The organization app's settings and synthesis, shared by the organization tests. */
import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { buildOrganizationApp, readAppConfig } from '../../lib/app';

export const CENTRAL = '999999999999';
export const ORG = 'o-abcdefghij';
export const OUS = ['ou-ab12-abcdefgh', 'ou-ab12-ijklmnop'];
export const BASE = {
  orgTargets: OUS.join(','),
  orgId: ORG,
  account: CENTRAL,
  homeRegion: 'eu-west-1',
  regions: 'us-east-1,eu-central-1',
};

/** `bundle` runs esbuild, so that the function's asset is staged as `cdk deploy` publishes it. */
export function synth(values: Record<string, unknown>, bundle = false) {
  const app = new App(bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const built = buildOrganizationApp(
    app,
    readAppConfig((key) => values[key], {}),
  );
  return { app, built, assembly: app.synth() };
}

export function nagFindings(stack: Stack): string[] {
  const annotations = Annotations.fromStack(stack);
  const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
  return [...annotations.findError('*', pattern), ...annotations.findWarning('*', pattern)].map(
    (e) => `${e.id}: ${String(e.entry.data).split(']')[0]}`,
  );
}

/** The stack sets of a template, by name. */
export function stackSets(template: Template): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of Object.values(template.findResources('AWS::CloudFormation::StackSet'))) {
    out[r.Properties.StackSetName] = r.Properties;
  }
  return out;
}

export const centralBusArn = partitionArn(`:events:eu-west-1:${CENTRAL}:event-bus/launch-loop-guard`);

/** `arn:<partition><rest>`, as CloudFormation joins it with the stack's partition. */
export function partitionArn(rest: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}

/** `arn:<partition>:iam::<this account>:<rest>`, as CloudFormation joins it. */
export function accountIamArn(rest: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, rest]] };
}
