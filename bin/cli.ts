#!/usr/bin/env node
/**
 * The `launch-loop-guard` command line: `launch-loop-guard <command> [args...]`.
 *
 * Each command is a module with `main(argv): Promise<number>` (argv is what follows the command
 * name; the number is the exit code), loaded only when it runs.
 */

import { type CommandName, OVERVIEW } from '../cli/help.js';

/** A command's module. */
interface CommandModule {
  main(argv: readonly string[]): Promise<number>;
}

/** The commands. Add one line per command (and its line in COMMAND_SUMMARIES, cli/help.ts). */
const COMMANDS: Record<CommandName, () => Promise<CommandModule>> = {
  replay: () => import('../cli/replay/main.js'),
  status: () => import('../cli/status.js'),
  resume: () => import('../cli/resume.js'),
  'check-ami-lookups': () => import('../cli/check-ami-lookups/main.js'),
};

async function run(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    process.stdout.write(`${OVERVIEW}\n`);
    return 0;
  }
  const load =
    name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name as CommandName] : undefined;
  if (load === undefined) {
    const known = Object.keys(COMMANDS).join(', ');
    process.stderr.write(
      name === undefined
        ? `${OVERVIEW}\n`
        : `launch-loop-guard: unknown command ${JSON.stringify(name)} (commands: ${known}; --help for more)\n`,
    );
    return 2;
  }
  // On Node.js 20 the AWS SDK prints a 7-line end-of-support warning before every message; the
  // guard pins an SDK that supports Node.js 20 (engines), so the warning only hides the answer.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return (await load()).main(rest);
}

run(process.argv.slice(2)).then(
  (code) => {
    // exitCode, not exit(): let stdout drain when it is a pipe.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `launch-loop-guard: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
