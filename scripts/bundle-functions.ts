/**
 * Build step: bundle each Lambda function of {@link FUNCTION_BUNDLES} with esbuild into
 * `dist/functions/<name>/index.js`, with the options `NodejsFunction` uses from a checkout. The
 * construct in `dist/lib` deploys these directories as they are (see lib/function-code.ts).
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, FUNCTION_BUNDLES, type FunctionBundle } from '../lib/function-code';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'dist', 'functions');

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  for (const [name, spec] of Object.entries(FUNCTION_BUNDLES) as [
    FunctionBundle,
    (typeof FUNCTION_BUNDLES)[FunctionBundle],
  ][]) {
    const outfile = join(OUT, name, 'index.js');
    await build({
      entryPoints: [join(ROOT, spec.entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: BUNDLE_OPTIONS.format,
      target: BUNDLE_OPTIONS.target,
      minify: BUNDLE_OPTIONS.minify,
      sourcemap: BUNDLE_OPTIONS.sourceMap,
      external: [...spec.externalModules],
      logLevel: 'warning',
    });
    process.stdout.write(
      `dist/functions/${name}/index.js  ${(statSync(outfile).size / 1024).toFixed(1)} KB\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bundle-functions: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
