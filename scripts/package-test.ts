/**
 * The packaging test (CI, `npm run test:package`): what a user gets from the package, tried as a
 * user would. It packs the package (`npm pack` builds it first), installs the tarball into a
 * fresh CDK app in a temporary folder, with the app's own dependencies from the npm registry,
 * and synthesizes the guard twice: a TypeScript app under ts-node with its own TypeScript 5 (the
 * `cdk init` default), and a plain `.js` app under node. Each template must hold the guard's
 * rule and function, and the function's code asset must be the prebuilt bundle the package
 * ships. It also runs the installed `launch-loop-guard` command on plain node.
 *
 * Needs the npm registry; nothing else (no AWS account, no esbuild in the app).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
/** What `cdk init app --language typescript` installs (majors), resolved by the registry. */
const APP_DEPENDENCIES = { 'aws-cdk-lib': '^2.276.0', constructs: '^10.0.0' };
const APP_DEV_DEPENDENCIES = { typescript: '~5.9.3', 'ts-node': '^10.9.2', '@types/node': '^20.0.0' };

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`packaging test: ${message}`);
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** Synthesize one app into `outdir` and check its template. */
function synthAndCheck(app: string, label: string, command: string, args: readonly string[]): void {
  const outdir = join(app, `cdk.out.${label}`);
  // The CDK CLI sets these for an app; `aws:asset:path` tells where each asset was staged.
  run(command, args, app, {
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:enable-asset-metadata': true }),
  });
  const template = JSON.parse(readFileSync(join(outdir, 'App.template.json'), 'utf8')) as {
    Resources: Record<string, CfnResource>;
  };
  const resources = Object.values(template.Resources);
  const rule = resources.find(
    (r) =>
      r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties?.EventPattern).includes('RunInstances'),
  );
  check(rule !== undefined, `${label}: no EventBridge rule for RunInstances in the template`);
  const guard = resources.find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' && String(r.Properties?.Description).includes('counts EC2 launches'),
  );
  check(guard !== undefined, `${label}: no guard function in the template`);
  const assetPath = guard?.Metadata?.['aws:asset:path'];
  check(typeof assetPath === 'string', `${label}: the guard function has no code asset`);
  const staged = join(outdir, String(assetPath), 'index.js');
  check(existsSync(staged), `${label}: the code asset ${String(assetPath)} has no index.js`);
  const shipped = join(app, 'node_modules', 'launch-loop-guard', 'dist', 'functions', 'guard', 'index.js');
  check(
    readFileSync(staged, 'utf8') === readFileSync(shipped, 'utf8'),
    `${label}: the code asset is not the prebuilt bundle the package ships`,
  );
  process.stdout.write(`ok  ${label}: rule, guard function and its code asset (${String(assetPath)})\n`);
}

const TS_APP = `#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { LaunchLoopGuard, type LaunchLoopGuardProps } from 'launch-loop-guard';

const app = new cdk.App();
const stack = new cdk.Stack(app, 'App', { env: { account: '123456789012', region: 'eu-west-1' } });
const props: LaunchLoopGuardProps = { asgThreshold: 8, emails: ['oncall@example.com'] };
new LaunchLoopGuard(stack, 'Guard', props);
app.synth();
`;

const JS_APP = `#!/usr/bin/env node
const cdk = require('aws-cdk-lib');
const { LaunchLoopGuard } = require('launch-loop-guard');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'App', { env: { account: '123456789012', region: 'eu-west-1' } });
new LaunchLoopGuard(stack, 'Guard', { asgThreshold: 8 });
app.synth();
`;

/** `cdk init app --language typescript`'s tsconfig (the parts that matter to resolution). */
const TS_CONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['es2022'],
    strict: true,
    noImplicitAny: true,
    strictNullChecks: true,
    esModuleInterop: true,
    skipLibCheck: false,
    typeRoots: ['./node_modules/@types'],
  },
  exclude: ['node_modules', 'cdk.out*'],
};

function main(): void {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'llg-package-'));
  try {
    run('npm', ['pack', '--pack-destination', work, '--silent'], ROOT);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    check(tarball !== undefined, 'npm pack made no tarball');
    const app = join(work, 'app');
    mkdirSync(join(app, 'bin'), { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify(
        {
          name: 'guarded-app',
          version: '0.0.0',
          private: true,
          dependencies: { ...APP_DEPENDENCIES, 'launch-loop-guard': `file:../${tarball}` },
          devDependencies: APP_DEV_DEPENDENCIES,
        },
        null,
        2,
      )}\n`,
    );
    writeFileSync(join(app, 'tsconfig.json'), `${JSON.stringify(TS_CONFIG, null, 2)}\n`);
    writeFileSync(join(app, 'bin', 'app.ts'), TS_APP);
    writeFileSync(join(app, 'bin', 'app-plain.js'), JS_APP);
    process.stdout.write(`packed ${tarball} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app);
    process.stdout.write(`installed the app in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    check(
      !existsSync(join(app, 'node_modules', 'esbuild')),
      'the app got esbuild: the package must need no bundler',
    );

    const installed = join(app, 'node_modules', 'launch-loop-guard');
    check(
      existsSync(join(installed, 'LICENSE')) &&
        readFileSync(join(installed, 'LICENSE'), 'utf8').includes('Apache License') &&
        readFileSync(join(installed, 'LICENSE'), 'utf8').includes('Version 2.0, January 2004'),
      'the package carries no Apache-2.0 LICENSE (package.json says Apache-2.0)',
    );
    process.stdout.write('ok  the package carries its LICENSE\n');

    synthAndCheck(app, 'ts-node', 'npx', ['--no-install', 'ts-node', '--prefer-ts-exts', 'bin/app.ts']);
    synthAndCheck(app, 'node', process.execPath, ['bin/app-plain.js']);

    const help = run(join(app, 'node_modules', '.bin', 'launch-loop-guard'), ['--help'], app);
    check(
      /^usage: launch-loop-guard <command>/.test(help) && /^ {2}resume /m.test(help),
      `the installed command printed no usage: ${help}`,
    );
    process.stdout.write('ok  the installed launch-loop-guard command runs on plain node\n');
  } finally {
    if (process.env['LLG_PACKAGE_TEST_KEEP'] === '1') process.stdout.write(`kept ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
