/** Synthesized guard stacks shared by the construct tests. */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { GUARD_PATTERNS, toEventBridgeJson } from '../../lib/event-patterns';
import { LaunchLoopGuard } from '../../lib/launch-loop-guard';
import type { LaunchLoopGuardProps } from '../../lib/props';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** A stack with one guard. `bundle: false` skips esbuild (the template is the same but the asset). */
export function guardStack(
  props: LaunchLoopGuardProps | ((stack: Stack) => LaunchLoopGuardProps) = {},
  bundle = false,
) {
  const app = new App(bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account: ACCOUNT, region: REGION } });
  const guard = new LaunchLoopGuard(stack, 'Guard', typeof props === 'function' ? props(stack) : props);
  return { app, stack, guard, template: Template.fromStack(stack) };
}

/** The logical id of a construct's default CloudFormation resource. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** Every action of the IAM policies attached to a role. */
export function roleActions(template: Template, roleLogicalId: string): string[] {
  const actions: string[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as { Ref?: string }[];
    if (!roles.some((r) => r.Ref === roleLogicalId)) continue;
    for (const s of policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]) {
      actions.push(...(Array.isArray(s.Action) ? s.Action : [s.Action]));
    }
  }
  return actions;
}

/** The guard function's environment variables. */
export function guardEnv(template: Template) {
  const fns = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('counts EC2 launches') },
  });
  const [fn] = Object.values(fns);
  return fn?.Properties.Environment.Variables as Record<string, unknown>;
}

/** A forwarder's EventBridge rules, once checked to carry every guard pattern, in order. */
export function forwardingRules(template: Template) {
  const rules = Object.values(template.findResources('AWS::Events::Rule'));
  expect(rules.map((r) => r.Properties.EventPattern)).toEqual(
    Object.values(GUARD_PATTERNS).map((p) => toEventBridgeJson(p)),
  );
  return rules;
}
