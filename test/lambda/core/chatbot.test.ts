import { describe, expect, it } from 'vitest';
import { CHAT_LIMITS, chatbotMessage, chatThreadId } from '../../../lambda/core/chatbot';
import { TRIP_ACTION } from '../../../lambda/core/report';
import { AMI, AMI_NAME, amiReport, GROUP, RESUMER, suspendedReport } from './example-reports';

describe('chatbotMessage', () => {
  it('has the custom-notification envelope', () => {
    // Act
    const m = chatbotMessage(suspendedReport());
    // Assess
    expect(m.version).toBe('1.0');
    expect(m.source).toBe('custom');
    expect(m.id).toBe('6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f');
    expect(m.content.textType).toBe('client-markdown');
    expect(m.content.title).toBe(
      `:rotating_light: Launch suspended on Auto Scaling group ${GROUP}: launch loop`,
    );
  });

  it('says what tripped, what became of the launches and the rule, and what was done', () => {
    // Act
    const { description } = chatbotMessage(suspendedReport()).content;
    // Assess
    for (const phrase of [
      `*Auto Scaling group ${GROUP}* in account 123456789012, eu-west-1`,
      'the last 4 decided launches all failed (the streak rule trips at 4 in a row); 12 distinct instances launched in 1h',
      `${AMI} (${AMI_NAME})`,
      '4 of the last 4 decided launches never registered with ECS cluster prod (InService, not a container instance 10m after launch)',
      "scale-ins, refreshes, Spot interruptions and a person's actions never count",
      'Suspended Launch on the group.',
      'all at once',
    ]) {
      expect(description).toContain(phrase);
    }
  });

  it('offers the undo commands as next steps', () => {
    // Act
    const m = chatbotMessage(suspendedReport());
    // Assess
    expect(m.content.nextSteps).toEqual([
      `\`aws autoscaling resume-processes --auto-scaling-group-name ${GROUP} --scaling-processes Launch --region eu-west-1\``,
      `\`aws autoscaling delete-tags --tags ResourceId=${GROUP},ResourceType=auto-scaling-group,Key=launch-loop-guard:suspended-at ResourceId=${GROUP},ResourceType=auto-scaling-group,Key=launch-loop-guard:reason ResourceId=${GROUP},ResourceType=auto-scaling-group,Key=launch-loop-guard:suspended-processes --region eu-west-1\``,
      `\`aws lambda invoke --function-name ${RESUMER.functionName} --region eu-west-1 --cli-binary-format raw-in-base64-out --payload '{"action":"resume","account":"123456789012","region":"eu-west-1","groupName":"${GROUP}"}' /dev/stdout\``,
    ]);
  });

  it('offers no undo for an alert-only AMI trip', () => {
    // Act
    const m = chatbotMessage(amiReport());
    // Assess
    expect(m.content.nextSteps).toBeUndefined();
    expect(m.metadata.relatedResources).toEqual([AMI, GROUP, 'batch-gpu-workers']);
  });

  it('carries string-only context for filters and custom actions', () => {
    // Act
    const { metadata } = chatbotMessage(suspendedReport({ action: TRIP_ACTION.wouldSuspend, dryRun: true }));
    // Assess
    expect(metadata.eventType).toBe('launch-loop-guard:would-suspend');
    expect(metadata.additionalContext).toEqual({
      scope: 'asg',
      key: GROUP,
      account: '123456789012',
      region: 'eu-west-1',
      action: 'would-suspend',
      launches: '12',
      threshold: '10',
      window: '1h',
      dryRun: 'true',
    });
  });

  it('keeps every field inside its limit, even for huge reports', () => {
    // Prepare
    const report = suspendedReport({
      scope: { scope: 'asg', account: '123456789012', region: 'eu-west-1', key: 'g'.repeat(255) },
      callers: Array.from({ length: 500 }, (_, i) => `arn:aws:sts::123456789012:assumed-role/r/${i}`),
      diagnosis: Array.from(
        { length: 40 },
        (_, i) => `Finding number ${i} is a long sentence about the AMI.`,
      ),
    });
    // Act
    const m = chatbotMessage(report);
    // Assess
    expect(m.content.title.length).toBeLessThanOrEqual(CHAT_LIMITS.title);
    expect(m.content.description.length).toBeLessThanOrEqual(CHAT_LIMITS.description);
    expect(m.content.nextSteps!.length).toBeLessThanOrEqual(CHAT_LIMITS.nextSteps);
    for (const s of m.content.nextSteps!) expect(s.length).toBeLessThanOrEqual(CHAT_LIMITS.nextStep);
    expect(m.metadata.threadId.length).toBeLessThanOrEqual(CHAT_LIMITS.threadId);
  });
});

describe('chatThreadId', () => {
  it('is the same for every trip of one scope', () => {
    // Act
    const a = chatThreadId(suspendedReport());
    const b = chatThreadId(suspendedReport({ action: TRIP_ACTION.alreadySuspended, eventId: 'other' }));
    // Assess
    expect(a).toBe(b);
  });

  it.each([
    [{ scope: 'asg', account: '123456789012', region: 'eu-west-1', key: 'web' }],
    [{ scope: 'ami', account: '123456789012', region: 'eu-west-1', key: 'web' }],
    [{ scope: 'asg', account: '123456789012', region: 'us-east-1', key: 'web' }],
    [{ scope: 'asg', account: '210987654321', region: 'eu-west-1', key: 'web' }],
  ] as const)('differs between scopes (%j)', (scope) => {
    // Act
    const id = chatThreadId(suspendedReport({ scope }));
    const base = chatThreadId(
      suspendedReport({
        scope: { scope: 'asg', account: '123456789012', region: 'eu-west-1', key: 'web-2' },
      }),
    );
    // Assess
    expect(id).not.toBe(base);
  });

  it('stays unique for long names that share a head', () => {
    // Prepare
    const head = 'n'.repeat(200);
    const scope = (key: string) =>
      ({ scope: 'asg', account: '123456789012', region: 'eu-west-1', key }) as const;
    // Act
    const a = chatThreadId(suspendedReport({ scope: scope(`${head}-a`) }));
    const b = chatThreadId(suspendedReport({ scope: scope(`${head}-b`) }));
    // Assess
    expect(a).not.toBe(b);
    expect(a.length).toBe(CHAT_LIMITS.threadId);
  });
});
