#!/usr/bin/env node
/**
 * The CDK app: `npx cdk deploy --all` deploys the guard in the home region and a forwarder in
 * every other region listed in context (README, "Deploy"); with `orgTargets`, the organization
 * shape chosen by `orgMode` (README, "Organizations").
 *
 * A context value it cannot use ends the app with one line naming the key, the value and what is
 * expected, and exit code 1, as the CLI's usage errors do; no stack trace.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp, buildOrganizationApp, readAppConfig } from '../lib/app';
import { ContextError, checkContextKeys, profileRegionIn } from '../lib/app-context';
import { PropError } from '../lib/props';

/** The region of the AWS profile in use, as the CDK CLI would find it; undefined when none. */
function profileRegion(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  try {
    return profileRegionIn(readFileSync(file, 'utf8'), env.AWS_PROFILE ?? 'default');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

try {
  const app = new App();
  checkContextKeys(Object.keys(app.node.getAllContext() as Record<string, unknown>));
  const config = readAppConfig((key) => app.node.tryGetContext(key), process.env, profileRegion(process.env));
  if (config.org === undefined) buildApp(app, config);
  else buildOrganizationApp(app, config);
  app.synth();
} catch (error) {
  if (!(error instanceof ContextError || error instanceof PropError)) throw error;
  process.stderr.write(`launch-loop-guard: ${error.message}\n`);
  process.exitCode = 1;
}
