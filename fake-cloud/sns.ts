/** SNS's Publish (awsQuery): the fake keeps each message in {@link Cloud.published}. */
import type { CloudState } from './state';
import { type Operation, type Params, type QueryService, structs } from './wire';

export const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** The message attributes, from `MessageAttributes.entry.N.Name` / `.Value.StringValue`. */
function attributes(p: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of structs(p, 'MessageAttributes.entry')) {
    if (e['Name'] !== undefined) out[e['Name']] = e['Value.StringValue'] ?? '';
  }
  // SNS encodes its map as MessageAttributes.entry.N.Name / .Value.*: read that form too.
  for (const [k, v] of Object.entries(p)) {
    const m = /^MessageAttributes\.entry\.(\d+)\.Name$/.exec(k);
    if (m) out[v] = p[`MessageAttributes.entry.${m[1]}.Value.StringValue`] ?? '';
  }
  return out;
}

/** SNS's operations by name. */
export const SNS_OPERATIONS: Readonly<Record<string, Operation<CloudState, Params, string>>> = {
  Publish: (cloud, p) => {
    const at = cloud.state.now();
    cloud.published.push({
      topicArn: p['TopicArn'] ?? '',
      ...(p['Subject'] !== undefined ? { subject: p['Subject'] } : {}),
      message: p['Message'] ?? '',
      attributes: attributes(p),
      ...(at !== undefined ? { at } : {}),
    });
    return `<MessageId>${cloud.label}-message-${cloud.published.length}</MessageId>`;
  },
};

/** SNS as a service of the fake cloud. */
export const SNS: QueryService<CloudState> = {
  protocol: 'awsQuery',
  service: 'sns',
  version: '2010-03-31',
  namespace: SNS_NS,
  unknownCode: 'InvalidAction',
  operations: SNS_OPERATIONS,
};
