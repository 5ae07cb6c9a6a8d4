/**
 * What an app that adds the construct gets without writing a `CfnOutput` itself: the table name
 * for `status` and `resume`, the topic, the resumer the alerts invoke, and the queues.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { LaunchLoopGuard } from '../../lib/launch-loop-guard';
import { guardStack, logicalId } from './stacks';

describe('LaunchLoopGuard outputs', () => {
  it('outputs the table, topic, resumer and queues by default, under keys named after the construct', () => {
    // Prepare
    const { stack, guard, template } = guardStack();
    // Assess
    expect(template.findOutputs('*')).toEqual({
      GuardTableName: {
        Description: expect.stringContaining('--table'),
        Value: { Ref: logicalId(stack, guard.table) },
      },
      GuardTopicArn: {
        Description: 'Where the guard alerts',
        Value: { Ref: expect.stringMatching(/^GuardTopic/) },
      },
      GuardResumerFunctionName: {
        Description: expect.stringContaining('aws lambda invoke'),
        Value: { Ref: logicalId(stack, guard.resumer) },
      },
      GuardFailureQueueUrl: {
        Description: expect.stringContaining('redrive'),
        Value: { Ref: logicalId(stack, guard.failureQueue) },
      },
      GuardDeadlineQueueUrl: {
        Description: expect.stringContaining('deadline'),
        Value: { Ref: logicalId(stack, guard.deadlineQueue) },
      },
    });
  });

  it('exposes the names operators need as properties', () => {
    // Prepare
    const { stack, guard } = guardStack();
    // Assess
    expect(stack.resolve(guard.tableName)).toEqual({ Ref: logicalId(stack, guard.table) });
    expect(stack.resolve(guard.resumerFunctionName)).toEqual({ Ref: logicalId(stack, guard.resumer) });
    expect(stack.resolve(guard.topic.topicArn)).toEqual({ Ref: expect.stringMatching(/^GuardTopic/) });
    expect(stack.resolve(guard.deadlineQueue.queueUrl)).toEqual({
      Ref: logicalId(stack, guard.deadlineQueue),
    });
  });

  it('adds no output with outputs: false', () => {
    const { template } = guardStack({ outputs: false });
    expect(template.findOutputs('*')).toEqual({});
  });

  it('keeps two guards of one stack apart', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Two', { env: { account: '123456789012', region: 'eu-west-1' } });
    // Act
    new LaunchLoopGuard(stack, 'Prod', {});
    new LaunchLoopGuard(new Construct(stack, 'Team'), 'Guard', {});
    // Assess
    const keys = Object.keys(Template.fromStack(stack).findOutputs('*'));
    expect(keys).toHaveLength(10);
    expect(keys).toContain('ProdTableName');
    expect(keys).toContain('TeamGuardTableName');
  });
});
