/**
 * A small local stand-in for Auto Scaling, SNS and EC2 (DescribeImages), on 127.0.0.1, speaking
 * the services' real wire protocols, so that the unchanged SDK clients of the guard reach it
 * through `AWS_ENDPOINT_URL_AUTO_SCALING`, `AWS_ENDPOINT_URL_SNS` and `AWS_ENDPOINT_URL_EC2`.
 *
 * `@aws-sdk/client-auto-scaling` and `@aws-sdk/client-sns` 3.1169.0 use the awsQuery protocol
 * (form-encoded POST, `Action` and `Version` parameters, XML answers); `@aws-sdk/client-ec2` uses
 * the EC2 query protocol (the same requests, lower-camel XML answers). One server answers all
 * three, told apart by `Version`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An instance of a fake group. */
export interface FakeInstance {
  readonly instanceId: string;
  lifecycleState: string;
  healthStatus: string;
}

/** A fake Auto Scaling group: what DescribeAutoScalingGroups shows. */
export interface FakeGroup {
  readonly name: string;
  readonly arn: string;
  readonly healthCheckGracePeriod: number;
  readonly tags: Map<string, string>;
  readonly suspended: Set<string>;
  readonly instances: Map<string, FakeInstance>;
  desired: number;
}

/** One request the fake answered, for the demo's timeline. */
export interface FakeCall {
  readonly service: 'autoscaling' | 'sns' | 'ec2';
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
}

/** A published SNS message. */
export interface FakePublish {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** An error the fake answers instead of acting (a test's injected failure). */
export interface FakeFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * A test's hooks into the fake (the demo sets none). Each may return a promise to hold the call
 * there: `received` before the fake acts (and may answer an error instead), `answering` after it
 * acted but before the caller hears of it (the call is "in flight" for the caller).
 */
export interface FakeHooks {
  received?(call: FakeCall): Promise<FakeFailure | undefined> | FakeFailure | undefined;
  answering?(call: FakeCall): Promise<void> | void;
}

/** The running fake. */
export interface FakeAws {
  readonly endpoint: string;
  readonly groups: Map<string, FakeGroup>;
  readonly images: Map<string, { name: string; description: string }>;
  readonly calls: FakeCall[];
  readonly published: FakePublish[];
  hooks: FakeHooks;
  close(): Promise<void>;
}

/** An answer, built before it is sent (so that a hook can hold it). */
interface Reply {
  readonly status: number;
  readonly body: string;
}

const AUTOSCALING_NS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `Prefix.member.N` (awsQuery) or `Prefix.N` (EC2) lists from flat parameters. */
function list(params: Record<string, string>, prefix: string): string[] {
  const out: [number, string][] = [];
  for (const [k, v] of Object.entries(params)) {
    const m = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(?:member\\.)?(\\d+)$`).exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Prefix.member.N.Field` structures. */
function structs(params: Record<string, string>, prefix: string): Record<string, string>[] {
  const byIndex = new Map<number, Record<string, string>>();
  for (const [k, v] of Object.entries(params)) {
    const m = new RegExp(`^${prefix}\\.member\\.(\\d+)\\.(.+)$`).exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    const s = byIndex.get(i) ?? {};
    s[m[2]!] = v;
    byIndex.set(i, s);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

function groupXml(g: FakeGroup): string {
  const instances = [...g.instances.values()]
    .map(
      (i) =>
        `<member><InstanceId>${i.instanceId}</InstanceId><InstanceType>inf2.xlarge</InstanceType><AvailabilityZone>eu-west-1a</AvailabilityZone><LifecycleState>${i.lifecycleState}</LifecycleState><HealthStatus>${i.healthStatus}</HealthStatus><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>`,
    )
    .join('');
  const suspended = [...g.suspended]
    .map(
      (p) =>
        `<member><ProcessName>${p}</ProcessName><SuspensionReason>User suspended</SuspensionReason></member>`,
    )
    .join('');
  const tags = [...g.tags]
    .map(
      ([k, v]) =>
        `<member><ResourceId>${esc(g.name)}</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>${esc(k)}</Key><Value>${esc(v)}</Value><PropagateAtLaunch>false</PropagateAtLaunch></member>`,
    )
    .join('');
  return `<member><AutoScalingGroupName>${esc(g.name)}</AutoScalingGroupName><AutoScalingGroupARN>${esc(g.arn)}</AutoScalingGroupARN><MinSize>0</MinSize><MaxSize>4</MaxSize><DesiredCapacity>${g.desired}</DesiredCapacity><DefaultCooldown>300</DefaultCooldown><AvailabilityZones><member>eu-west-1a</member></AvailabilityZones><HealthCheckType>EC2</HealthCheckType><HealthCheckGracePeriod>${g.healthCheckGracePeriod}</HealthCheckGracePeriod><CreatedTime>2025-11-02T09:00:00Z</CreatedTime><Instances>${instances}</Instances><SuspendedProcesses>${suspended}</SuspendedProcesses><Tags>${tags}</Tags></member>`;
}

function queryError(ns: string, code: string, message: string, status = 400): Reply {
  return {
    status,
    body: `<ErrorResponse xmlns="${ns}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>demo</RequestId></ErrorResponse>`,
  };
}

function ok(ns: string, action: string, result: string): Reply {
  return {
    status: 200,
    body: `<${action}Response xmlns="${ns}">${result === '' ? '' : `<${action}Result>${result}</${action}Result>`}<ResponseMetadata><RequestId>demo-${Date.now()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function autoScaling(fake: FakeAws, action: string, p: Record<string, string>): Reply {
  const named = (name: string | undefined): FakeGroup | undefined =>
    name ? fake.groups.get(name) : undefined;
  switch (action) {
    case 'DescribeAutoScalingGroups': {
      const names = list(p, 'AutoScalingGroupNames');
      const tagKey =
        p['Filters.member.1.Name'] === 'tag-key' ? p['Filters.member.1.Values.member.1'] : undefined;
      const found = [...fake.groups.values()].filter(
        (g) => (names.length === 0 || names.includes(g.name)) && (tagKey === undefined || g.tags.has(tagKey)),
      );
      return ok(
        AUTOSCALING_NS,
        action,
        `<AutoScalingGroups>${found.map(groupXml).join('')}</AutoScalingGroups>`,
      );
    }
    case 'DescribeWarmPool':
      return ok(AUTOSCALING_NS, action, '<Instances></Instances>');
    case 'SuspendProcesses':
    case 'ResumeProcesses': {
      const g = named(p['AutoScalingGroupName']);
      if (g === undefined)
        return queryError(AUTOSCALING_NS, 'ValidationError', 'AutoScalingGroup name not found');
      for (const proc of list(p, 'ScalingProcesses')) {
        if (action === 'SuspendProcesses') g.suspended.add(proc);
        else g.suspended.delete(proc);
      }
      return ok(AUTOSCALING_NS, action, '');
    }
    case 'CreateOrUpdateTags':
    case 'DeleteTags': {
      for (const t of structs(p, 'Tags')) {
        const g = named(t['ResourceId']);
        if (g === undefined)
          return queryError(AUTOSCALING_NS, 'ValidationError', 'AutoScalingGroup name not found');
        if (action === 'CreateOrUpdateTags') g.tags.set(t['Key']!, t['Value'] ?? '');
        else g.tags.delete(t['Key']!);
      }
      return ok(AUTOSCALING_NS, action, '');
    }
    default:
      return queryError(AUTOSCALING_NS, 'InvalidAction', `${action} is not answered by the demo`);
  }
}

function sns(fake: FakeAws, action: string, p: Record<string, string>): Reply {
  if (action !== 'Publish')
    return queryError(SNS_NS, 'InvalidAction', `${action} is not answered by the demo`);
  const attributes: Record<string, string> = {};
  for (const e of structs(p, 'MessageAttributes.entry')) {
    if (e['Name'] !== undefined) attributes[e['Name']] = e['Value.StringValue'] ?? '';
  }
  // SNS encodes its map as MessageAttributes.entry.N.Name / .Value.*: read that form too.
  for (const [k, v] of Object.entries(p)) {
    const m = /^MessageAttributes\.entry\.(\d+)\.Name$/.exec(k);
    if (m) attributes[v] = p[`MessageAttributes.entry.${m[1]}.Value.StringValue`] ?? '';
  }
  fake.published.push({
    topicArn: p['TopicArn'] ?? '',
    ...(p['Subject'] !== undefined ? { subject: p['Subject'] } : {}),
    message: p['Message'] ?? '',
    attributes,
  });
  return ok(SNS_NS, action, `<MessageId>demo-message-${fake.published.length}</MessageId>`);
}

function ec2Error(code: string, message: string, status = 400): Reply {
  return {
    status,
    body: `<Response><Errors><Error><Code>${code}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>demo</RequestID></Response>`,
  };
}

function ec2(fake: FakeAws, action: string, p: Record<string, string>): Reply {
  if (action !== 'DescribeImages') return ec2Error('InvalidAction', `${action} is not answered by the demo`);
  const items = list(p, 'ImageId')
    .flatMap((id) => {
      const image = fake.images.get(id);
      return image === undefined
        ? []
        : [
            `<item><imageId>${id}</imageId><name>${esc(image.name)}</name><description>${esc(image.description)}</description><imageOwnerAlias>amazon</imageOwnerAlias><architecture>x86_64</architecture><imageState>available</imageState><public>true</public></item>`,
          ];
    })
    .join('');
  return {
    status: 200,
    body: `<DescribeImagesResponse xmlns="${EC2_NS}"><requestId>demo</requestId><imagesSet>${items}</imagesSet></DescribeImagesResponse>`,
  };
}

/** Act on one call (unless a hook fails it first) and build the answer. */
async function answer(fake: FakeAws, call: FakeCall): Promise<Reply> {
  const failure = await fake.hooks.received?.(call);
  if (failure !== undefined) {
    return call.service === 'ec2'
      ? ec2Error(failure.code, failure.message, failure.status)
      : queryError(
          call.service === 'sns' ? SNS_NS : AUTOSCALING_NS,
          failure.code,
          failure.message,
          failure.status,
        );
  }
  if (call.service === 'autoscaling') return autoScaling(fake, call.action, call.params);
  if (call.service === 'sns') return sns(fake, call.action, call.params);
  return ec2(fake, call.action, call.params);
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Start the fake on a free loopback port. */
export async function startFakeAws(): Promise<FakeAws> {
  let server: Server | undefined;
  const fake: FakeAws = {
    endpoint: '',
    groups: new Map(),
    images: new Map(),
    calls: [],
    published: [],
    hooks: {},
    close: () =>
      new Promise<void>((resolve) => {
        if (server === undefined) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  server = createServer((req, res) => {
    const handle = async (): Promise<void> => {
      const p = Object.fromEntries(new URLSearchParams(await body(req)));
      const action = p['Action'] ?? '';
      const version = p['Version'] ?? '';
      const service = version === '2011-01-01' ? 'autoscaling' : version === '2010-03-31' ? 'sns' : 'ec2';
      const call: FakeCall = { service, action, params: p };
      fake.calls.push(call);
      const reply = await answer(fake, call);
      await fake.hooks.answering?.(call);
      res.writeHead(reply.status, { 'content-type': 'text/xml' });
      res.end(reply.body);
    };
    handle().then(
      () => undefined,
      (error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (fake as { endpoint: string }).endpoint = `http://127.0.0.1:${port}`;
  return fake;
}
