import { describe, expect, it } from 'vitest';
import { mrkdwnToHtml, slackToHtml, slackToText } from '../../demo/slack-render';
import type { SlackMessage } from '../../lambda/core/slack-blocks';

const message: SlackMessage = {
  text: 'Launch suspended',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: '🚨 Launch suspended on <g>' } },
    { type: 'section', text: { type: 'mrkdwn', text: '*Group g*\n10 launches &amp; more' } },
    { type: 'section', fields: [{ type: 'mrkdwn', text: '*Region*\neu-west-1' }] },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'note' }] },
    { type: 'section', text: { type: 'mrkdwn', text: '*Undo*\n```\nnpx launch-loop-guard resume g\n```' } },
  ],
};

describe('mrkdwnToHtml', () => {
  it.each([
    ['*bold* and `code`', '<b>bold</b> and <code>code</code>'],
    ['a\nb', 'a<br>b'],
    ['&lt;tag&gt; &amp;', '&lt;tag&gt; &amp;'],
    ['```\nx < y\n```', '<pre>x &lt; y</pre>'],
  ])('renders %j as %j', (input, expected) => {
    expect(mrkdwnToHtml(input)).toBe(expected);
  });
});

describe('slackToText', () => {
  it('shows each block as lines, fields as "label: value", without code fences', () => {
    expect(slackToText(message, '')).toBe(
      [
        '🚨 Launch suspended on <g>',
        '',
        '*Group g*',
        '10 launches & more',
        '',
        '*Region*: eu-west-1',
        '',
        'note',
        '',
        '*Undo*',
        '',
        'npx launch-loop-guard resume g',
      ].join('\n'),
    );
  });
});

describe('slackToHtml', () => {
  it('makes a page with the header (siren drawn, text escaped), the fields and the code block', () => {
    const html = slackToHtml(message);
    expect(html).toContain(
      '<div class="header"><span class="siren">!</span> Launch suspended on &lt;g&gt;</div>',
    );
    expect(html).toContain('<div class="fields"><div><b>Region</b><br>eu-west-1</div></div>');
    expect(html).toContain('<pre>npx launch-loop-guard resume g</pre>');
  });
});
