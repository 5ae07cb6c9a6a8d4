/**
 * Shows a Block Kit message the way Slack roughly does: as terminal text (the demo) and as a
 * small HTML page (screenshotted into docs/slack-alert.png by demo/render-slack.ts).
 */
import { createHash } from 'node:crypto';
import type { TripReport } from '../lambda/core/report';
import { type SlackBlock, type SlackMessage, type SlackText, slackBlocks } from '../lambda/core/slack-blocks';

/** Undo Slack's three mrkdwn escapes. */
function unescapeMrkdwn(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

function textOf(t: SlackText | undefined): string {
  return t === undefined ? '' : unescapeMrkdwn(t.text);
}

/** The message as indented plain text, one block after another, for a terminal. */
export function slackToText(message: SlackMessage, indent = '  │ '): string {
  const lines: string[] = [];
  const push = (text: string) => {
    for (const l of text.split('\n')) lines.push(`${indent}${l}`);
  };
  for (const block of message.blocks) {
    switch (block.type) {
      case 'header':
        push(textOf(block.text));
        push('');
        break;
      case 'section':
        if (block.text) push(textOf(block.text).replaceAll('```', ''));
        if (block.fields) {
          for (const f of block.fields) push(textOf(f).replace('\n', ': '));
        }
        push('');
        break;
      case 'context':
        push(block.elements.map(textOf).join(' '));
        push('');
        break;
      case 'divider':
        push('────────');
        break;
    }
  }
  while (lines.length > 0 && lines.at(-1)!.trim() === indent.trim()) lines.pop();
  return lines.join('\n');
}

function escHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** Slack mrkdwn (bold, code, code blocks, bullets, line breaks) to HTML. */
export function mrkdwnToHtml(mrkdwn: string): string {
  const parts = unescapeMrkdwn(mrkdwn).split('```');
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<pre>${escHtml(part.replace(/^\n/, '').replace(/\n$/, ''))}</pre>`;
      return escHtml(part)
        .replace(/`([^`]+)`/g, '<code>$1</code>')
        .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
        .replace(/(^|\s)_([^_\n]+)_(?=\s|$)/g, '$1<i>$2</i>')
        .replaceAll('\n', '<br>');
    })
    .join('');
}

function blockHtml(block: SlackBlock): string {
  switch (block.type) {
    case 'header':
      // No emoji font is needed: the siren is drawn with CSS.
      return `<div class="header">${escHtml(textOf(block.text)).replace('🚨', '<span class="siren">!</span>')}</div>`;
    case 'section': {
      const text = block.text ? `<div class="text">${mrkdwnToHtml(block.text.text)}</div>` : '';
      const fields = block.fields
        ? `<div class="fields">${block.fields.map((f) => `<div>${mrkdwnToHtml(f.text)}</div>`).join('')}</div>`
        : '';
      return `<div class="section">${text}${fields}</div>`;
    }
    case 'context':
      return `<div class="context">${block.elements.map((e) => mrkdwnToHtml(e.text)).join(' ')}</div>`;
    case 'divider':
      return '<hr>';
  }
}

/** A standalone HTML page that shows the message as a Slack post by an app. */
export function slackToHtml(message: SlackMessage, appName = 'launch-loop-guard', time = '03:07'): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escHtml(message.text)}</title>
<style>
  body { margin: 0; background: #fff; font: 15px/1.46668 -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1d1c1d; }
  .msg { display: flex; gap: 10px; padding: 16px 20px; max-width: 860px; }
  .avatar { width: 36px; height: 36px; border-radius: 6px; background: #e01e5a; color: #fff; font-weight: 700; display: flex; align-items: center; justify-content: center; flex: none; }
  .who b { font-weight: 900; } .app { font-size: 10px; background: #e8e8e8; color: #616061; border-radius: 2px; padding: 1px 3px; margin: 0 4px; }
  .when { color: #616061; font-size: 12px; }
  .siren { display: inline-block; width: 20px; height: 20px; line-height: 20px; text-align: center; border-radius: 10px 10px 3px 3px; background: #e01e5a; color: #fff; font-size: 14px; margin-right: 6px; vertical-align: 1px; }
  .header { font-size: 18px; font-weight: 900; margin: 6px 0 8px; }
  .section { margin: 6px 0 10px; }
  .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 6px; }
  .context { color: #616061; font-size: 13px; margin: 4px 0 10px; }
  code { font: 12px Menlo, Monaco, "DejaVu Sans Mono", monospace; background: #f6f6f6; border: 1px solid #e1e1e1; border-radius: 3px; padding: 1px 3px; color: #e01e5a; }
  pre { font: 12px/1.5 Menlo, Monaco, "DejaVu Sans Mono", monospace; background: #f8f8f8; border: 1px solid #e1e1e1; border-radius: 4px; padding: 8px; margin: 4px 0; white-space: pre-wrap; word-break: break-all; }
  hr { border: 0; border-top: 1px solid #e1e1e1; }
</style></head>
<body><div class="msg"><div class="avatar">LG</div><div class="body">
<div class="who"><b>${escHtml(appName)}</b><span class="app">APP</span><span class="when">${escHtml(time)}</span></div>
${message.blocks.map(blockHtml).join('\n')}
</div></div></body></html>
`;
}

/**
 * The page of docs/slack-alert.png: a trip report's Slack message, posted at `postedAt` (epoch
 * ms; the post shows its UTC hour and minute, as Slack shows a post's time).
 */
export function alertPageHtml(report: TripReport, postedAt: number): string {
  return slackToHtml(
    slackBlocks(report),
    'launch-loop-guard',
    new Date(postedAt).toISOString().slice(11, 16),
  );
}

/** The sha256 (hex) that docs/slack-alert.html.sha256 keeps for the page the PNG was made from. */
export function pageHash(html: string): string {
  return createHash('sha256').update(html, 'utf8').digest('hex');
}
