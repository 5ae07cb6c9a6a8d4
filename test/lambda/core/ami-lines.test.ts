/**
 * The AMI lines of the alerts (issue 24: one page per incident), in every format: the SNS text,
 * Slack's Block Kit and the chat-applications message say the same lines.
 */
import { describe, expect, it } from 'vitest';
import { amiLines, buildAlert } from '../../../lambda/core/alert';
import { chatbotMessage } from '../../../lambda/core/chatbot';
import { slackBlocks } from '../../../lambda/core/slack-blocks';
import { AMI, amiReport, GROUP, suspendedReport } from './example-reports';

const EVIDENCE = {
  imageId: AMI,
  launches: 54,
  launchesAtLeast: false,
  threshold: 50,
  windowMs: 3_600_000,
  groups: [GROUP, 'web'],
};
const FAILURES = {
  failingGroups: ['a', 'b'],
  ungroupedFailed: 0,
  coveredBy: [GROUP],
  ungroupedDeadlineMs: 600_000,
};

describe('amiLines', () => {
  it("puts the AMI's count in a group's alert, in every format", () => {
    // Prepare
    const report = suspendedReport({ amiEvidence: [EVIDENCE] });
    // Act
    const [line] = amiLines(report);
    // Assess
    expect(line).toContain(
      `AMI ${AMI}: 54 launches in 1h (at or over the AMI threshold of 50), by this group and 1 other (web)`,
    );
    expect(buildAlert(report).body).toContain(`THE AMI\n  ${line}`);
    expect(JSON.stringify(slackBlocks(report))).toContain('by this group and 1 other (web)');
    expect(JSON.stringify(chatbotMessage(report))).toContain('by this group and 1 other (web)');
  });

  it("says in an AMI's alert which groups page on their own", () => {
    // Act
    const report = amiReport({ amiFailures: FAILURES });
    // Assess
    expect(amiLines(report)).toEqual([
      'Failed launches of the AMI: in groups a, b.',
      `Left to their own alerts (not counted here): ${GROUP}.`,
    ]);
    expect(buildAlert(report).body).toContain(`Left to their own alerts (not counted here): ${GROUP}.`);
  });

  it('adds nothing to an alert without AMI evidence', () => {
    expect(amiLines(suspendedReport())).toEqual([]);
    expect(buildAlert(suspendedReport()).body).not.toContain('THE AMI');
  });
});
