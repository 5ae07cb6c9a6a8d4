/**
 * Makes docs/slack-alert.png: the demo's trip alert as its Slack message (Block Kit), shown as
 * HTML and screenshotted with headless Chromium. Run by hand when the alert changes
 * (`npx tsx demo/render-slack.ts`); needs a `chromium` binary (CI does not: the PNG is kept).
 * Also writes the HTML beside it, `docs/slack-alert.html`, when `--keep-html` is given.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slackBlocks } from '../lambda/core/slack-blocks';
import { runDemo } from './run-demo';
import { slackToHtml } from './slack-render';

const OUT = join(__dirname, '..', 'docs', 'slack-alert.png');

async function main(): Promise<void> {
  const summary = await runDemo(() => {});
  if (summary.report === undefined) throw new Error('the demo published no trip report');
  const html = slackToHtml(slackBlocks(summary.report));
  const dir = mkdtempSync(join(tmpdir(), 'llg-slack-'));
  try {
    const page = join(dir, 'alert.html');
    writeFileSync(page, html);
    if (process.argv.includes('--keep-html')) writeFileSync(OUT.replace(/\.png$/, '.html'), html);
    execFileSync(
      process.env['CHROMIUM'] ?? 'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--screenshot=${OUT}`,
        '--window-size=900,870',
        `file://${page}`,
      ],
      { stdio: 'ignore' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`wrote ${OUT}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`render-slack failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
