/**
 * Makes docs/slack-alert.png: the default demo's trip alert as its Slack message (Block Kit),
 * shown as HTML and screenshotted with headless Chromium, and docs/slack-alert.html.sha256, the
 * hash of that HTML, which a test recomputes from the demo (so a stale picture fails the tests).
 *
 * Run when the alert changes: `npm run render-slack`. Needs a `chromium` binary (or `CHROMIUM`
 * naming one; Debian: `apt-get install -y chromium`); CI has none, so the PNG is kept in the
 * repository. `--keep-html` also writes the page, `docs/slack-alert.html`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from './run-demo';
import { alertPageHtml, pageHash } from './slack-render';

/** The picture, and the hash of the page it shows. */
export const PNG_PATH = join(__dirname, '..', 'docs', 'slack-alert.png');
export const HASH_PATH = join(__dirname, '..', 'docs', 'slack-alert.html.sha256');

async function main(): Promise<void> {
  const summary = await runDemo(() => {});
  if (summary.report === undefined || summary.tripAt === undefined)
    throw new Error('the demo published no trip report');
  const html = alertPageHtml(summary.report, summary.tripAt);
  const dir = mkdtempSync(join(tmpdir(), 'llg-slack-'));
  try {
    const page = join(dir, 'alert.html');
    writeFileSync(page, html);
    if (process.argv.includes('--keep-html')) writeFileSync(PNG_PATH.replace(/\.png$/, '.html'), html);
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
        `--screenshot=${PNG_PATH}`,
        '--window-size=900,1000',
        `file://${page}`,
      ],
      { stdio: 'ignore' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Written only once the picture is: the hash always describes the PNG beside it.
  writeFileSync(HASH_PATH, `${pageHash(html)}\n`);
  process.stdout.write(`wrote ${PNG_PATH}\nwrote ${HASH_PATH}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`render-slack failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
