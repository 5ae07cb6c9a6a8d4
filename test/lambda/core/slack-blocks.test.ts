import { describe, expect, it } from 'vitest';
import { chatbotMessage } from '../../../lambda/core/chatbot';
import { TRIP_ACTION } from '../../../lambda/core/report';
import {
  escapeMrkdwn,
  SLACK_LIMITS,
  type SlackBlock,
  slackBlocks,
  slackTextMessage,
} from '../../../lambda/core/slack-blocks';
import {
  AMI,
  AMI_NAME,
  amiReport,
  GROUP,
  NOT_REGISTERED_EVIDENCE,
  RESUMER,
  suspendedReport,
} from './example-reports';

function texts(blocks: readonly SlackBlock[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === 'header') return [b.text.text];
    if (b.type === 'section')
      return [...(b.text ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text)];
    if (b.type === 'context') return b.elements.map((e) => e.text);
    return [];
  });
}

describe('slackBlocks', () => {
  it('starts with a header naming what happened, and gives the same text as fallback', () => {
    // Act
    const m = slackBlocks(suspendedReport());
    // Assess
    expect(m.text).toBe(`Launch suspended on Auto Scaling group ${GROUP}: launch loop`);
    expect(m.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: `🚨 Launch suspended on Auto Scaling group ${GROUP}: launch loop`,
        emoji: true,
      },
    });
  });

  it('shows account, region, launches and AMIs as fields', () => {
    // Act
    const m = slackBlocks(suspendedReport());
    // Assess
    const fields = m.blocks.find((b) => b.type === 'section' && b.fields !== undefined);
    expect(fields).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Account*\n123456789012' },
        { type: 'mrkdwn', text: '*Region*\neu-west-1' },
        { type: 'mrkdwn', text: '*First launch*\n2025-12-10T08:02:11.000Z' },
        { type: 'mrkdwn', text: '*Last launch*\n2025-12-10T08:57:40.000Z' },
        { type: 'mrkdwn', text: `*AMIs*\n${AMI} (${AMI_NAME})` },
        { type: 'mrkdwn', text: '*Action*\nsuspended' },
      ],
    });
  });

  it('ends with the AWS CLI commands, then the resumer function, in code blocks, then the callers', () => {
    // Act
    const m = slackBlocks(suspendedReport());
    // Assess
    expect(m.blocks.slice(-3, -1)).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            '*How to undo it* (fix the cause first), with the AWS CLI:\n```' +
            `aws autoscaling resume-processes --auto-scaling-group-name ${GROUP} --scaling-processes Launch --region eu-west-1\n` +
            `aws autoscaling delete-tags --tags ResourceId=${GROUP},ResourceType=auto-scaling-group,Key=launch-loop-guard:suspended-at ResourceId=${GROUP},ResourceType=auto-scaling-group,Key=launch-loop-guard:reason ResourceId=${GROUP},ResourceType=auto-scaling-group,Key=launch-loop-guard:suspended-processes --region eu-west-1` +
            '```',
        },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            "Or through the guard's resumer function (also clears the group's launch window and resets its auto-resume backoff):\n```" +
            `aws lambda invoke --function-name ${RESUMER.functionName} --region eu-west-1 --cli-binary-format raw-in-base64-out --payload '{"action":"resume","account":"123456789012","region":"eu-west-1","groupName":"${GROUP}"}' /dev/stdout` +
            '```',
        },
      },
    ]);
    expect(m.blocks.at(-1)?.type).toBe('context');
  });

  it('explains what became of the launches, the rule and what a suspended Launch means', () => {
    // Act
    const all = texts(slackBlocks(suspendedReport()).blocks).join('\n');
    // Assess
    expect(all).toContain(NOT_REGISTERED_EVIDENCE);
    expect(all).toContain(
      "Streak rule: the group's last 4 decided launches all failed, whatever their rate.",
    );
    expect(all).toContain('all at once');
  });

  it('says nothing was changed in a dry run and gives the suspend command', () => {
    // Act
    const all = texts(
      slackBlocks(suspendedReport({ action: TRIP_ACTION.wouldSuspend, dryRun: true })).blocks,
    ).join('\n');
    // Assess
    expect(all).toContain('Dry run: the guard would have suspended Launch; nothing was changed.');
    expect(all).toContain('aws autoscaling suspend-processes');
    expect(all).not.toContain('aws lambda invoke');
  });

  it('escapes &, < and > in values', () => {
    // Act
    const all = texts(
      slackBlocks(suspendedReport({ callers: ['<!channel> & friends'], diagnosis: ['a <b> & c'] })).blocks,
    ).join('\n');
    // Assess
    expect(all).toContain('&lt;!channel&gt; &amp; friends');
    expect(all).toContain('• a &lt;b&gt; &amp; c');
    expect(all).not.toContain('<!channel>');
  });

  it('keeps every block inside Slack limits for huge reports', () => {
    // Prepare
    const report = amiReport({
      scope: { scope: 'ami', account: '123456789012', region: 'eu-west-1', key: AMI },
      groups: Array.from({ length: 300 }, (_, i) => ({
        groupName: `group-${i}`,
        outcome: 'over-cap' as const,
      })),
      diagnosis: Array.from({ length: 100 }, (_, i) => `Finding ${i}: ${'x'.repeat(80)}`),
    });
    // Act
    const m = slackBlocks(report);
    // Assess
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const b of m.blocks) {
      if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
      if (b.type === 'section') {
        expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        expect(b.fields?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.fields);
        for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
      }
    }
  });
});

describe('slackTextMessage', () => {
  it('wraps a plain text in one escaped section, the fallback text escaped too', () => {
    // Act
    const m = slackTextMessage('StopLogging on trail <main> & more');
    // Assess: behaviour changed (issue 20): the fallback text is mrkdwn as well.
    expect(m).toEqual({
      text: 'StopLogging on trail &lt;main&gt; &amp; more',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'StopLogging on trail &lt;main&gt; &amp; more' } },
      ],
    });
  });
});

describe('escaping of values from events', () => {
  it('never lets a group name become a link or a mention, in the blocks or the fallback text', () => {
    // Prepare
    const evil = '<!channel> <https://evil.example|click> & co';
    const base = suspendedReport();
    const report = suspendedReport({ scope: { ...base.scope, key: evil }, callers: [evil] });
    // Act
    const message = slackBlocks(report);
    const chat = chatbotMessage(report);
    // Assess
    const texts = [
      message.text,
      // The header is plain_text, which Slack shows as written (no links, no mentions).
      JSON.stringify(message.blocks.filter((b) => b.type !== 'header')),
      chat.content.title,
      chat.content.description,
      ...(chat.content.nextSteps ?? []),
      chat.metadata.summary ?? '',
    ];
    for (const text of texts) {
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<https://evil');
    }
    expect(message.text + chat.content.description).toContain('&lt;!channel&gt;');
  });
});

describe('escapeMrkdwn', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['plain', 'plain'],
  ])('%j → %j', (input, out) => {
    expect(escapeMrkdwn(input)).toBe(out);
  });
});
