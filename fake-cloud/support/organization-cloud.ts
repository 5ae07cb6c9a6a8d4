/**
 * An organization's clouds behind one endpoint, as AWS serves them: every request is answered by
 * the account its credentials belong to, and only by it. Each account is a simulated world
 * (`fake-cloud/` with `bench/sim/world-state.ts`: Auto Scaling, ECS, EC2 instances and images, SNS), plus what this
 * file answers itself, over the services' real wire protocols:
 * - STS `AssumeRole` (awsQuery): the central account's credentials may assume the member role
 *   of a member account, and get that account's own credentials;
 * - IAM `GetInstanceProfile` and `SimulatePrincipalPolicy` (awsQuery), EC2
 *   `DescribeLaunchTemplateVersions` (EC2 query), from each account's own table;
 * - Organizations `DescribeAccount` (JSON 1.1) and SQS `SendMessage` (JSON 1.0) for the central
 *   account (the guard's deadline queue: the caller delivers the messages as Lambda does).
 *
 * Which account a request reaches is read from the access key in its SigV4 `Authorization`
 * header. An unknown key is refused as AWS refuses it (`InvalidClientTokenId`, `AuthFailure`,
 * `UnrecognizedClientException`). The simulated worlds all use `bench/sim/world.ts`'s account id;
 * answers of a member's world carry the member's own id instead, as that account's would.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACCOUNT as WORLD_ACCOUNT, type World } from '../../bench/sim/world';
import { type FakeCloud, startFakeCloud } from '../../bench/sim/world-state';

/** An instance profile of one account, and what its role may do. */
export interface FakeInstanceProfile {
  readonly name: string;
  readonly roleName: string;
  /** The actions the role's policies allow (on any resource); every other action is denied. */
  readonly allows: readonly string[];
}

/** One account of the organization. */
export interface FakeAccount {
  readonly id: string;
  readonly name: string;
  readonly world: World;
  readonly profiles?: readonly FakeInstanceProfile[];
}

/** One request the organization's cloud answered (or refused). */
export interface OrgCall {
  /** The account the credentials belong to; undefined when refused. */
  readonly account?: string;
  /** The signing name of the service (`autoscaling`, `ecs`, `ec2`, `iam`, `sts`, …). */
  readonly service: string;
  readonly action: string;
  /** What the caller was doing (set by the test: `event`, `deadline`, …). */
  readonly phase: string;
  /** The group named in an Auto Scaling request. */
  readonly group?: string;
  readonly refused?: boolean;
}

/** A message the guard sent to its deadline queue. */
export interface QueuedMessage {
  readonly body: string;
  readonly sentAt: number;
  readonly delaySeconds: number;
}

/** The running organization. */
export interface OrganizationCloud {
  readonly endpoint: string;
  /** The central account's access key (the function's own credentials). */
  readonly centralKey: string;
  readonly clouds: ReadonlyMap<string, FakeCloud>;
  readonly calls: OrgCall[];
  readonly queued: QueuedMessage[];
  /** AssumeRole calls per member account. */
  readonly assumed: Map<string, number>;
  phase: string;
  close(): Promise<void>;
}

const SECRET = 'secret';

/** The access key an account's credentials carry. */
export function accessKeyOf(account: string): string {
  return `ASIA${account}`;
}

/**
 * Start one cloud per account behind one endpoint.
 *
 * @param central the account the guard runs in (its world must use the simulator's own id)
 * @param members the member accounts
 * @param now the clock of the credentials' expiry
 */
export async function startOrganizationCloud(
  central: FakeAccount,
  members: readonly FakeAccount[],
  now: () => number = Date.now,
): Promise<OrganizationCloud> {
  if (central.id !== WORLD_ACCOUNT) throw new Error(`the central account must be ${WORLD_ACCOUNT}`);
  const accounts = new Map([central, ...members].map((a) => [a.id, a]));
  const clouds = new Map<string, FakeCloud>();
  for (const a of accounts.values()) clouds.set(a.id, await startFakeCloud(a.world));
  const byKey = new Map([...accounts.keys()].map((id) => [accessKeyOf(id), id]));
  const org: OrganizationCloud = {
    endpoint: '',
    centralKey: accessKeyOf(central.id),
    clouds,
    calls: [],
    queued: [],
    assumed: new Map(),
    phase: 'event',
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const c of clouds.values()) await c.close();
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, text: string): Promise<void> => {
    const auth = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '');
    const service = auth?.[2] ?? 'unknown';
    const target = req.headers['x-amz-target'];
    const form = typeof target === 'string' ? {} : Object.fromEntries(new URLSearchParams(text));
    const action = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : (form.Action ?? '');
    const account = auth ? byKey.get(auth[1]!) : undefined;
    const group =
      form.AutoScalingGroupName ?? form['AutoScalingGroupNames.member.1'] ?? form['Tags.member.1.ResourceId'];
    org.calls.push({
      ...(account ? { account } : { refused: true }),
      service,
      action,
      phase: org.phase,
      ...(group ? { group } : {}),
    });
    if (account === undefined) {
      refuse(res, service);
      return;
    }
    const own = accounts.get(account)!;
    if (service === 'sts' && action === 'AssumeRole') {
      const m = /^arn:aws:iam::(\d{12}):role\/LaunchLoopGuardMember$/.exec(form.RoleArn ?? '');
      const member = m?.[1];
      if (account !== central.id || member === undefined || member === central.id || !accounts.has(member)) {
        queryError(res, 403, 'AccessDenied', `${account} may not assume ${form.RoleArn}`);
        return;
      }
      org.assumed.set(member, (org.assumed.get(member) ?? 0) + 1);
      const expiration = new Date(now() + 3_600_000).toISOString();
      queryOk(
        res,
        'AssumeRole',
        `<Credentials><AccessKeyId>${accessKeyOf(member)}</AccessKeyId><SecretAccessKey>${SECRET}</SecretAccessKey><SessionToken>token-${member}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:${form.RoleSessionName}</AssumedRoleId><Arn>arn:aws:sts::${member}:assumed-role/LaunchLoopGuardMember/${form.RoleSessionName}</Arn></AssumedRoleUser>`,
      );
      return;
    }
    if (service === 'iam') {
      iam(res, own, action, form);
      return;
    }
    if (service === 'ec2' && action === 'DescribeLaunchTemplateVersions') {
      // The simulated groups launch from their instances' launch template, which names no profile.
      res.writeHead(400, { 'content-type': 'text/xml' });
      res.end(
        `<Response><Errors><Error><Code>InvalidLaunchTemplateId.NotFound</Code><Message>not found</Message></Error></Errors><RequestID>org</RequestID></Response>`,
      );
      return;
    }
    if (service === 'organizations' && action === 'DescribeAccount') {
      const input = JSON.parse(text) as { AccountId?: string };
      const found = accounts.get(input.AccountId ?? '');
      if (account !== central.id || found === undefined) {
        jsonError(res, 'AccountNotFoundException', 'no such account');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Account: { Id: found.id, Name: found.name, Status: 'ACTIVE' } }));
      return;
    }
    if (service === 'sqs' && action === 'SendMessage') {
      const input = JSON.parse(text) as { MessageBody: string; DelaySeconds?: number };
      org.queued.push({ body: input.MessageBody, sentAt: now(), delaySeconds: input.DelaySeconds ?? 0 });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          MessageId: `msg-${org.queued.length}`,
          MD5OfMessageBody: createHash('md5').update(input.MessageBody).digest('hex'),
        }),
      );
      return;
    }
    await forward(req, res, text, clouds.get(account)!.endpoint, account);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (org as { endpoint: string }).endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return org;
}

/** Pass a request to the account's world; its answer carries the account's own id. */
function forward(
  req: IncomingMessage,
  res: ServerResponse,
  text: string,
  endpoint: string,
  account: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', endpoint);
  // The world knows itself by the simulator's id: ARNs the caller read from it go back that way.
  const sent = Buffer.from(text.replaceAll(account, WORLD_ACCOUNT));
  return new Promise((resolve, reject) => {
    const out = request(
      url,
      {
        method: req.method,
        headers: { ...req.headers, host: url.host, 'content-length': String(sent.length) },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.from(Buffer.concat(chunks).toString('utf8').replaceAll(WORLD_ACCOUNT, account));
          const { 'transfer-encoding': _chunked, ...kept } = answer.headers;
          const headers = { ...kept, 'content-length': String(body.length) };
          res.writeHead(answer.statusCode ?? 500, headers);
          res.end(body);
          resolve();
        });
        answer.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(sent);
  });
}

function iam(res: ServerResponse, account: FakeAccount, action: string, form: Record<string, string>): void {
  const profiles = account.profiles ?? [];
  const roleArn = (p: FakeInstanceProfile) => `arn:aws:iam::${account.id}:role/${p.roleName}`;
  if (action === 'GetInstanceProfile') {
    const p = profiles.find((x) => x.name === form.InstanceProfileName);
    if (p === undefined) {
      queryError(res, 404, 'NoSuchEntity', `Instance Profile ${form.InstanceProfileName} cannot be found.`);
      return;
    }
    queryOk(
      res,
      action,
      `<InstanceProfile><InstanceProfileName>${p.name}</InstanceProfileName><InstanceProfileId>AIPA${p.name}</InstanceProfileId><Arn>arn:aws:iam::${account.id}:instance-profile/${p.name}</Arn><Path>/</Path><CreateDate>2025-01-01T00:00:00Z</CreateDate><Roles><member><RoleName>${p.roleName}</RoleName><RoleId>AROA${p.roleName}</RoleId><Arn>${roleArn(p)}</Arn><Path>/</Path><CreateDate>2025-01-01T00:00:00Z</CreateDate></member></Roles></InstanceProfile>`,
    );
    return;
  }
  if (action === 'SimulatePrincipalPolicy') {
    const p = profiles.find((x) => roleArn(x) === form.PolicySourceArn);
    if (p === undefined) {
      queryError(res, 404, 'NoSuchEntity', `${form.PolicySourceArn} is not a role of ${account.id}`);
      return;
    }
    const actions = Object.entries(form)
      .filter(([k]) => /^ActionNames\.member\.\d+$/.test(k))
      .map(([, v]) => v);
    const results = actions
      .map(
        (a) =>
          `<member><EvalActionName>${a}</EvalActionName><EvalResourceName>${form['ResourceArns.member.1'] ?? '*'}</EvalResourceName><EvalDecision>${p.allows.includes(a) ? 'allowed' : 'implicitDeny'}</EvalDecision></member>`,
      )
      .join('');
    queryOk(res, action, `<EvaluationResults>${results}</EvaluationResults><IsTruncated>false</IsTruncated>`);
    return;
  }
  queryError(res, 400, 'InvalidAction', `${action} is not answered`);
}

function refuse(res: ServerResponse, service: string): void {
  if (service === 'ec2') {
    res.writeHead(401, { 'content-type': 'text/xml' });
    res.end(
      '<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message></Error></Errors><RequestID>org</RequestID></Response>',
    );
  } else if (service === 'ecs' || service === 'organizations' || service === 'sqs') {
    jsonError(res, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  } else {
    queryError(res, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
}

function queryOk(res: ServerResponse, action: string, result: string): void {
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.end(
    `<${action}Response><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>org</RequestId></ResponseMetadata></${action}Response>`,
  );
}

function queryError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>org</RequestId></ErrorResponse>`,
  );
}

function jsonError(res: ServerResponse, code: string, message: string): void {
  res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code });
  res.end(JSON.stringify({ __type: code, message }));
}
