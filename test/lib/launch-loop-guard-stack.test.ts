import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LaunchLoopGuardStack } from '../../lib/launch-loop-guard-stack';
import { ACCOUNT, REGION } from './stacks';

describe('LaunchLoopGuardStack', () => {
  it('outputs the table name that status and resume take as --table, the resumer function the alerts invoke, and the topic', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    // Act
    const stack = new LaunchLoopGuardStack(app, 'Guard', {
      env: { account: ACCOUNT, region: REGION },
      nag: false,
    });
    // Assess
    const template = Template.fromStack(stack);
    template.hasOutput('TableName', { Value: { Ref: Match.stringLikeRegexp('^GuardTable') } });
    template.hasOutput('ResumerFunctionName', {
      Value: { Ref: Match.stringLikeRegexp('^GuardResumerFunction') },
    });
    template.hasOutput('TopicArn', { Value: { Ref: Match.stringLikeRegexp('^GuardTopic') } });
    // The construct's own outputs are off here: no output twice.
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'ResumerFunctionName',
      'TableName',
      'TopicArn',
    ]);
  });
});
