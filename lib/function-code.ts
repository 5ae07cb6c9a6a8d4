/**
 * The guard's Lambda functions and where their code comes from.
 *
 * The published package ships each function prebuilt (`npm run build` bundles them with esbuild
 * into `dist/functions/<name>/index.js`), as aws-cdk-lib ships its own custom resources: an app
 * that installs the package needs neither esbuild nor the TypeScript sources, and nothing is
 * bundled from outside the app's folder. From a checkout (tests, `cdk synth` of bin/) the
 * function is bundled from `lambda/` with the same options.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

/** esbuild options shared by the build (`scripts/bundle-functions.ts`) and `NodejsFunction`. */
export const BUNDLE_OPTIONS = { minify: true, sourceMap: false, target: 'node24', format: 'cjs' } as const;

/**
 * The functions, their entry (relative to the package root) and the modules left to the Lambda
 * runtime. `@aws-sdk/*` comes from the Node.js 24 runtime, as `NodejsFunction` leaves it out by
 * default (what the guard's functions have always been built with).
 */
export const FUNCTION_BUNDLES = {
  guard: { entry: 'lambda/entries/guard.ts', externalModules: ['@aws-sdk/*'] },
  resumer: { entry: 'lambda/entries/resumer.ts', externalModules: ['@aws-sdk/*'] },
  'slack-webhook': { entry: 'lambda/entries/slack-webhook.ts', externalModules: ['@aws-sdk/*'] },
} as const satisfies Record<string, { entry: string; externalModules: readonly string[] }>;

/** A function of {@link FUNCTION_BUNDLES}. */
export type FunctionBundle = keyof typeof FUNCTION_BUNDLES;

/** Where the package keeps a prebuilt function: `dist/functions/<name>` beside `dist/lib`. */
export function prebuiltDir(bundle: FunctionBundle): string {
  return path.join(__dirname, '..', 'functions', bundle);
}

/** The package root of a checkout (`lib/..`). */
const SOURCE_ROOT = path.join(__dirname, '..');

/**
 * A Lambda function running one of the guard's bundles: the prebuilt code when the package
 * ships it, else bundled from source. Its handler is `index.handler` either way.
 */
export function guardFunction(
  scope: Construct,
  id: string,
  bundle: FunctionBundle,
  props: Omit<lambda.FunctionProps, 'code' | 'handler'>,
): lambda.Function {
  const prebuilt = prebuiltDir(bundle);
  if (fs.existsSync(path.join(prebuilt, 'index.js'))) {
    return new lambda.Function(scope, id, {
      ...props,
      code: lambda.Code.fromAsset(prebuilt),
      handler: 'index.handler',
    });
  }
  const spec = FUNCTION_BUNDLES[bundle];
  return new NodejsFunction(scope, id, {
    ...props,
    entry: path.join(SOURCE_ROOT, spec.entry),
    handler: 'handler',
    bundling: {
      minify: BUNDLE_OPTIONS.minify,
      sourceMap: BUNDLE_OPTIONS.sourceMap,
      target: BUNDLE_OPTIONS.target,
      format: OutputFormat.CJS,
      externalModules: [...spec.externalModules],
    },
  });
}
