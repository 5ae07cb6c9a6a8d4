/**
 * CI check (`npm run jsii`): the construct library's public API (lib/index.ts) compiles with
 * jsii, CDK's multi-language compiler that Construct Hub and the Python/Java/.NET/Go bindings
 * need, and API.md is the reference jsii-docgen generates from that assembly. `--write`
 * regenerates API.md instead of comparing.
 *
 * jsii compiles a copy of lib/ and lambda/ in .cache/jsii with a package.json made for it: the
 * construct imports the AWS SDK clients (for the IAM action lists its adapters declare), and
 * jsii accepts a dependency without a jsii assembly only when it is bundled, so the SDK clients
 * are declared `bundledDependencies` there. The published package is the plain npm build.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const WORK = join(ROOT, '.cache', 'jsii');
const BIN = join(ROOT, 'node_modules', '.bin');

interface PackageJson {
  name: string;
  version: string;
  description: string;
  license: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { cwd: WORK, encoding: 'utf8' });
  // jsii prints a Node.js end-of-life banner on Node 20; keep only what follows it.
  const output = `${result.stdout}${result.stderr}`
    .split('\n')
    .filter((line) => !line.startsWith('!!'))
    .join('\n')
    .trim();
  if (result.status !== 0) throw new Error(`${command} failed (exit ${result.status}):\n${output}`);
}

function main(): number {
  const write = process.argv.includes('--write');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  for (const dir of ['lib', 'lambda']) cpSync(join(ROOT, dir), join(WORK, dir), { recursive: true });
  cpSync(join(ROOT, 'README.md'), join(WORK, 'README.md'));
  symlinkSync(join(ROOT, 'node_modules'), join(WORK, 'node_modules'), 'dir');
  writeFileSync(
    join(WORK, 'package.json'),
    `${JSON.stringify(
      {
        name: pkg.name,
        version: pkg.version,
        description: pkg.description,
        license: pkg.license,
        author: { name: 'launch-loop-guard authors', roles: ['author'] },
        // jsii requires a repository; the project has not named its public one yet.
        repository: { type: 'git', url: 'https://example.invalid/launch-loop-guard.git' },
        main: 'lib/index.js',
        types: 'lib/index.d.ts',
        dependencies: pkg.dependencies,
        // Every dependency without a jsii assembly (the SDK clients, the HCL parser) is declared bundled.
        bundledDependencies: Object.keys(pkg.dependencies).filter(
          (d) => !existsSync(join(ROOT, 'node_modules', d, '.jsii')),
        ),
        peerDependencies: pkg.peerDependencies,
        devDependencies: {
          'aws-cdk-lib': pkg.devDependencies['aws-cdk-lib'],
          constructs: pkg.devDependencies['constructs'],
        },
        jsii: {
          outdir: 'dist',
          targets: { python: { distName: 'launch-loop-guard', module: 'launch_loop_guard' } },
        },
      },
      null,
      2,
    )}\n`,
  );
  run(join(BIN, 'jsii'), ['--silence-warnings=reserved-word']);
  process.stdout.write('ok  jsii compiled lib/index.ts\n');
  run(join(BIN, 'jsii-docgen'), ['--output', 'API.md']);
  const generated = readFileSync(join(WORK, 'API.md'), 'utf8');
  const committed = join(ROOT, 'API.md');
  if (write) {
    writeFileSync(committed, generated);
    process.stdout.write('wrote API.md\n');
    return 0;
  }
  if (!existsSync(committed) || readFileSync(committed, 'utf8') !== generated) {
    process.stderr.write(
      'API.md is not what jsii-docgen generates from the assembly: run `npm run api-md`\n',
    );
    return 1;
  }
  process.stdout.write('ok  API.md is current\n');
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
