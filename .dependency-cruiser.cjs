/**
 * The architecture, written once and checked by `npm test` (`npm run deps`): which folder may
 * import which. dependency-cruiser reads every import, type-only ones included (the swc parser
 * keeps `import type`), so a circle made of types alone is a circle too.
 *
 * The layers of the runtime (`lambda/`), from the inside out:
 * - `lambda/core/`      pure rules over plain values: no AWS, no env, no clock; imports only itself.
 * - `lambda/ports.ts`   the interfaces the steps talk to and the values they exchange (types only;
 *                       it imports only the core).
 * - `lambda/adapters/`  thin I/O, one per AWS service; imports the core and the ports, never a step.
 * - the steps (use cases: count, judge, trip, delayed check, AMI change, role check, diagnosis,
 *   organization routing, resume): import the core, the ports and the adapters' values, never an
 *   AWS SDK package, never each other in a circle.
 * - the function entries (`lambda/entries/`: guard, resumer, slack-webhook) take their dependencies
 *   from `lambda/wiring.ts` or build the few they need, and call one step.
 * Around the runtime: `lib/` (the CDK constructs) reads the runtime's configuration keys and IAM
 * lists but never a step; `cli/`, `bin/`, `bench/`, `demo/` are entries of their own; `test/` is
 * imported by nothing else.
 *
 * The steps live in `lambda/steps/`, the function entries in `lambda/entries/`, and every port
 * interface (the ones the adapters implement included) in `lambda/ports.ts`, which imports only
 * the core (rule `ports-are-types`).
 */
const STEPS = '^lambda/steps/';
const ENTRIES = '^lambda/entries/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No file imports, directly or through others, a file that imports it back (type-only imports count). ' +
        'Shared types go to a file both sides import (lambda/ports.ts, cli/replay/read-job.ts).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-only-core',
      comment: 'lambda/core/ is pure: it imports only lambda/core/ (no AWS SDK, no Node API, no adapter).',
      severity: 'error',
      from: { path: '^lambda/core/' },
      to: { pathNot: '^lambda/core/' },
    },
    {
      name: 'adapters-import-core-and-ports',
      comment:
        'An adapter imports the core, the ports, other adapters (the shared AWS error helper) and its SDK; never a step, ' +
        'an entry or the configuration.',
      severity: 'error',
      from: { path: '^lambda/adapters/' },
      to: {
        path: '^(lambda|lib|cli|bin|bench|demo|test|scripts|fake-cloud)/',
        pathNot: '^lambda/(core/|adapters/|ports\\.ts$)',
      },
    },
    {
      name: 'steps-import-no-sdk',
      comment:
        'The steps and the ports reach AWS only through the adapters: they import no @aws-sdk/* package.',
      severity: 'error',
      from: { path: [STEPS, '^lambda/ports\\.ts$'] },
      to: { path: '(^|/)node_modules/@aws-sdk/|^@aws-sdk/' },
    },
    {
      name: 'ports-are-types',
      comment:
        'lambda/ports.ts declares the interfaces and the values they exchange: it imports only the core (no adapter, ' +
        'no step, no entry, no package).',
      severity: 'error',
      from: { path: '^lambda/ports\\.ts$' },
      to: { pathNot: '^lambda/core/' },
    },
    {
      name: 'lib-imports-no-step',
      comment:
        'The constructs read the runtime configuration keys and IAM lists (config.ts, permissions.ts, adapters, core); ' +
        'they never import a step or a function entry.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: [STEPS, ENTRIES, '^lambda/ports\\.ts$'] },
    },
    {
      name: 'runtime-imports-no-tooling',
      comment: 'The runtime is bundled into the functions: it imports nothing from the tooling around it.',
      severity: 'error',
      from: { path: '^lambda/' },
      to: { path: '^(lib|cli|bin|bench|demo|test|scripts|fake-cloud)/' },
    },
    {
      name: 'tools-import-no-test',
      comment: 'bench/, demo/ and the fake cloud run outside the test suite: they import nothing from test/.',
      severity: 'error',
      from: { path: '^(bench|demo|fake-cloud)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc parses the
    // TypeScript sources and keeps type-only imports.
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(cdk\\.out|dist|\\.cache)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
