#!/usr/bin/env node
/**
 * The CDK app: `npx cdk deploy --all` deploys the guard in the home region and a forwarder in
 * every other region listed in context (see docs/readme/30-deploy.md); with `orgTargets`, the
 * organization shape chosen by `orgMode` (README, "Organizations").
 */
import { App } from 'aws-cdk-lib';
import { buildApp, buildOrganizationApp, readAppConfig } from '../lib/app';

const app = new App();
const config = readAppConfig((key) => app.node.tryGetContext(key), process.env);
if (config.org === undefined) buildApp(app, config);
else buildOrganizationApp(app, config);
app.synth();
