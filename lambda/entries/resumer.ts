/**
 * The resumer function: EventBridge Scheduler invokes it once per auto-resume schedule, and a
 * person may invoke it (`aws lambda invoke`, as the alert prints) to resume a group. Wiring
 * only; the work is `runResumer` in `resume-group.ts`. In central mode (`LLG_OPERATOR_ROLE_ARN`
 * set) a member account's group is reached through that account's operator role.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { AutoScalingSuspender } from '../adapters/asg-suspender';
import { assumeRoleCredentials, memberRoleArn } from '../adapters/member-credentials';
import { SnsNotifier } from '../adapters/notifier';
import { DynamoDbScopeStore } from '../adapters/scope-store';
import { loadConfig } from '../config';
import { perAccount } from '../steps/organization';
import { type ResumerResult, runResumer } from '../steps/resume-group';

const config = loadConfig();
const logger = new Logger({ serviceName: 'launch-loop-guard-resumer' });
const operatorRole = config.operatorRoleArn;
const sts = new STSClient({});
const deps = {
  asg: new AutoScalingSuspender((region) => new AutoScalingClient({ region })),
  store: new DynamoDbScopeStore(new DynamoDBClient({}), config.tableName),
  notifier: new SnsNotifier(new SNSClient({}), config.topicArn),
  ...(operatorRole === undefined
    ? {}
    : {
        memberAsg: perAccount((account) => {
          const credentials = assumeRoleCredentials(
            sts,
            memberRoleArn(operatorRole, account),
            'launch-loop-guard-resumer',
          );
          return new AutoScalingSuspender((region) => new AutoScalingClient({ region, credentials }));
        }),
      }),
};

/** The function's own account, from its ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
function accountOf(context: { readonly invokedFunctionArn?: string } | undefined): string {
  return context?.invokedFunctionArn?.split(':')[4] ?? '';
}

export const handler = async (
  raw: unknown,
  context?: { readonly invokedFunctionArn?: string },
): Promise<ResumerResult> => {
  const result = await runResumer(raw, deps, Date.now(), accountOf(context));
  if (result.kind === 'malformed') logger.error('not a resume request', { error: result.error, input: raw });
  else if (result.kind === 'refused') logger.warn(result.text, { refusal: result.refusal, input: raw });
  else logger.info(result.text, { request: result.request, outcome: result.outcome.kind });
  return result;
};
