#!/usr/bin/env node
/**
 * The CDK app: `npx cdk deploy --all` deploys the guard in the home region and a forwarder in
 * every other region listed in context (see docs/readme/30-deploy.md).
 */
import { App } from 'aws-cdk-lib';
import { buildApp, readAppConfig } from '../lib/app';

const app = new App();
buildApp(
  app,
  readAppConfig((key) => app.node.tryGetContext(key), process.env),
);
app.synth();
