#!/usr/bin/env -S node --import tsx
/**
 * The `launch-loop-guard` command line: `launch-loop-guard <command> [args...]`.
 *
 * Each command is a module with `main(argv): Promise<number>` (argv is what follows the command
 * name; the number is the exit code), loaded only when it runs.
 */

/** A command's module. */
interface CommandModule {
  main(argv: readonly string[]): Promise<number>;
}

/** The commands. Add one line per command. */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  replay: () => import('../cli/replay/main.js'),
  status: () => import('../cli/status.js'),
  resume: () => import('../cli/resume.js'),
  'check-ami-lookups': () => import('../cli/check-ami-lookups/main.js'),
};

async function run(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : COMMANDS[name];
  if (load === undefined) {
    const known = Object.keys(COMMANDS).join(', ');
    process.stderr.write(
      name === undefined || name === '--help' || name === '-h'
        ? `usage: launch-loop-guard <command> [args...]   (commands: ${known})\n`
        : `launch-loop-guard: unknown command ${JSON.stringify(name)} (commands: ${known})\n`,
    );
    return name === '--help' || name === '-h' ? 0 : 2;
  }
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
