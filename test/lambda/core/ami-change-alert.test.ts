import { describe, expect, it } from 'vitest';
import {
  AMI_CHANGE_ACTION,
  amiChangeChatMessage,
  amiChangeSlackBlocks,
  buildAmiChangeAlert,
} from '../../../lambda/core/ami-change-alert';
import { SLACK_LIMITS } from '../../../lambda/core/slack-blocks';
import { incidentAmiChange, NEURON, routineAmiChange, STANDARD } from './example-ami-change';

describe('buildAmiChangeAlert', () => {
  it('puts the old and the new AMI side by side with the words the new name adds', () => {
    // Act
    const alert = buildAmiChangeAlert(incidentAmiChange());
    // Assess
    expect(alert.subject).toBe(
      'Likely unintended AMI change on ecs-capacity-provider-asg: al2023-standard -> al2023-ecs-neuron',
    );
    const lines = alert.body.split('\n');
    const row = (label: string) => lines.find((l) => l.trimStart().startsWith(label)) ?? '';
    expect(row('AMI id')).toMatch(new RegExp(`${STANDARD.imageId} +${NEURON.imageId}$`));
    expect(row('Name')).toMatch(new RegExp(`${STANDARD.name} +${NEURON.name}$`));
    expect(row('Owner')).toMatch(/amazon \(137112412989\) +amazon \(137112412989\)$/);
    expect(row('Created')).toMatch(/2025-12-08T10:00:00.000Z +2025-12-09T10:00:00.000Z$/);
    expect(row('Architecture')).toMatch(/x86_64 +x86_64$/);
    expect(row('Family')).toMatch(/al2023-standard +al2023-ecs-neuron$/);
    // The columns line up: every value of the "now" column starts at one offset.
    const offsets = ['AMI id', 'Name', 'Family'].map((l) => row(l).lastIndexOf(' ') + 1);
    expect(new Set(offsets).size).toBe(1);
    expect(alert.body).toContain('Words the new name adds: ecs, neuron, hvm');
    expect(alert.body).toContain(
      'Likely cause: instances use the ECS-optimized Neuron AMI and role `2sec-dev-ec2-role` may not call ' +
        'ecs:RegisterContainerInstance: they cannot join cluster `prod`.',
    );
    expect(alert.body).toContain('SCPs and permission boundaries may deny more');
    expect(alert.body).toContain(
      'The guard suspends the group only if its launches keep failing: the last 4 in a row, or half of 10 in 1h.',
    );
    expect(alert.body).toContain(
      `aws ec2 describe-images --include-deprecated --image-ids ${NEURON.imageId} ${STANDARD.imageId} --region eu-west-1`,
    );
    expect(alert.body).not.toContain('npx');
    expect(alert.attributes).toEqual({
      scope: 'asg',
      key: 'ecs-capacity-provider-asg',
      account: '123456789012',
      region: 'eu-west-1',
      action: AMI_CHANGE_ACTION,
      severity: 'high',
      change: 'family-change',
    });
  });

  it('calls a routine upgrade routine and leaves out the fix', () => {
    const alert = buildAmiChangeAlert(routineAmiChange());
    expect(alert.subject).toBe('Routine AMI upgrade on ecs-capacity-provider-asg: newer al2023-standard');
    expect(alert.body).toContain('A newer release of the same family (al2023-standard): a routine upgrade.');
    expect(alert.body).not.toContain('If it is not intended');
    expect(alert.attributes.severity).toBe('low');
  });

  it('keeps the subject valid for SNS and shortens a long group name rather than the verdict', () => {
    // Prepare
    const base = incidentAmiChange();
    const report = { ...base, group: { ...base.group, key: `team-${'x'.repeat(200)}-asg` } };
    // Act
    const { subject } = buildAmiChangeAlert(report);
    // Assess
    expect(subject.length).toBeLessThanOrEqual(99);
    expect(subject).toMatch(
      /^Likely unintended AMI change on team-x+\.\.\.: al2023-standard -> al2023-ecs-neuron$/,
    );
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('amiChangeChatMessage', () => {
  it('is a custom notification in the group’s thread, within the chat limits', () => {
    // Act
    const message = amiChangeChatMessage(incidentAmiChange());
    // Assess
    expect(message).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
      metadata: {
        threadId: 'launch-loop-guard#asg#123456789012#eu-west-1#ecs-capacity-provider-asg',
        eventType: 'launch-loop-guard:ami-changed',
        additionalContext: {
          severity: 'high',
          beforeFamily: 'al2023-standard',
          nowFamily: 'al2023-ecs-neuron',
        },
      },
    });
    expect(message.content.title.length).toBeLessThanOrEqual(250);
    expect(message.content.description.length).toBeLessThanOrEqual(3000);
    expect(message.content.description).toContain(`*Name:* ${STANDARD.name} → ${NEURON.name}`);
    expect(message.content.description).toContain('*Likely cause:*');
    expect(message.metadata.relatedResources).toEqual([
      'ecs-capacity-provider-asg',
      NEURON.imageId,
      STANDARD.imageId,
    ]);
  });
});

describe('amiChangeSlackBlocks', () => {
  it('shows both sides as fields and stays inside Slack’s limits', () => {
    // Act
    const message = amiChangeSlackBlocks(incidentAmiChange());
    // Assess
    expect(message.text).toContain('Likely unintended AMI change');
    const fields = message.blocks.flatMap((b) => (b.type === 'section' && b.fields ? b.fields : []));
    expect(fields.map((f) => f.text.split('\n')[0])).toEqual(['*Before*', '*Now*']);
    expect(fields[1]!.text).toContain('family al2023-ecs-neuron (the ECS-optimized Neuron AMI)');
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const b of message.blocks) {
      if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
      if (b.type === 'section' && b.text)
        expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
    expect(JSON.stringify(message)).toContain('*Likely cause*');
  });
});
