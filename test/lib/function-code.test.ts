import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_BUNDLES, guardFunction, prebuiltDir } from '../../lib/function-code';

const ROOT = join(__dirname, '..', '..');

describe('FUNCTION_BUNDLES', () => {
  it.each(Object.entries(FUNCTION_BUNDLES))('names an entry that exists: %s', (_, spec) => {
    expect(existsSync(join(ROOT, spec.entry))).toBe(true);
  });
});

describe('guardFunction', () => {
  it('looks for the prebuilt code beside lib/, where the package build puts dist/functions', () => {
    expect(prebuiltDir('guard')).toBe(join(ROOT, 'functions', 'guard'));
  });

  it('bundles from source in a checkout, with the index.handler a prebuilt bundle has too', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'S');
    // Act
    const fn = guardFunction(stack, 'Fn', 'resumer', { runtime: lambda.Runtime.NODEJS_24_X });
    // Assess
    expect(existsSync(prebuiltDir('resumer'))).toBe(false);
    expect(fn).toBeInstanceOf(NodejsFunction);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
    });
  });
});
