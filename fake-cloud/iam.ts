/**
 * The demo's IAM and launch templates: what the instance-role check of the alert reads.
 * IAM answers `GetInstanceProfile` and `SimulatePrincipalPolicy` in the awsQuery protocol
 * (Version 2010-05-08); EC2 answers `DescribeLaunchTemplateVersions` in its query dialect.
 * Hooked into demo/fake-aws.ts.
 */

/** An instance profile and the one role it holds. */
export interface FakeProfile {
  readonly name: string;
  readonly arn: string;
  readonly roleName: string;
  readonly roleArn: string;
}

/** A launch template's default version, as far as the role check reads it. */
export interface FakeLaunchTemplate {
  readonly id: string;
  readonly name: string;
  readonly imageId: string;
  readonly instanceProfileArn: string;
  readonly userData?: string;
}

/** The demo's IAM: profiles, and the actions each role may call (anything else is denied). */
export interface FakeIam {
  readonly profiles: Map<string, FakeProfile>;
  readonly allowed: Map<string, ReadonlySet<string>>;
  readonly launchTemplates: Map<string, FakeLaunchTemplate>;
}

/** An empty IAM. */
export function fakeIam(): FakeIam {
  return { profiles: new Map(), allowed: new Map(), launchTemplates: new Map() };
}

/** An answer of the query protocols. */
export interface QueryReply {
  readonly status: number;
  readonly body: string;
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An IAM error in the awsQuery protocol. */
export function iamError(code: string, message: string, status = 400): QueryReply {
  return {
    status,
    body: `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>demo</RequestId></ErrorResponse>`,
  };
}

function members(p: Readonly<Record<string, string>>, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; p[`${prefix}.member.${i}`] !== undefined; i++) out.push(p[`${prefix}.member.${i}`]!);
  return out;
}

/** Answer one IAM call. */
export function iamAnswer(iam: FakeIam, action: string, p: Readonly<Record<string, string>>): QueryReply {
  const ok = (result: string): QueryReply => ({
    status: 200,
    body: `<${action}Response xmlns="${IAM_NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>demo</RequestId></ResponseMetadata></${action}Response>`,
  });
  if (action === 'GetInstanceProfile') {
    const profile = iam.profiles.get(p['InstanceProfileName'] ?? '');
    if (profile === undefined)
      return iamError('NoSuchEntity', `Instance Profile ${p['InstanceProfileName']} cannot be found.`, 404);
    return ok(
      `<InstanceProfile><Path>/</Path><InstanceProfileName>${esc(profile.name)}</InstanceProfileName><InstanceProfileId>AIPADEMO0000000000001</InstanceProfileId><Arn>${esc(profile.arn)}</Arn><CreateDate>2025-11-02T09:00:00Z</CreateDate><Roles><member><Path>/</Path><RoleName>${esc(profile.roleName)}</RoleName><RoleId>AROADEMO0000000000001</RoleId><Arn>${esc(profile.roleArn)}</Arn><CreateDate>2025-11-02T09:00:00Z</CreateDate></member></Roles></InstanceProfile>`,
    );
  }
  if (action === 'SimulatePrincipalPolicy') {
    const allowed = iam.allowed.get(p['PolicySourceArn'] ?? '') ?? new Set<string>();
    const resource = members(p, 'ResourceArns')[0] ?? '*';
    const results = members(p, 'ActionNames')
      .map(
        (a) =>
          `<member><EvalActionName>${esc(a)}</EvalActionName><EvalResourceName>${esc(resource)}</EvalResourceName><EvalDecision>${allowed.has(a) ? 'allowed' : 'implicitDeny'}</EvalDecision></member>`,
      )
      .join('');
    return ok(`<EvaluationResults>${results}</EvaluationResults><IsTruncated>false</IsTruncated>`);
  }
  return iamError('InvalidAction', `${action} is not answered by the demo`);
}

/** EC2 `DescribeLaunchTemplateVersions` of the default version, by id or name. */
export function describeLaunchTemplateVersions(
  iam: FakeIam,
  p: Readonly<Record<string, string>>,
): QueryReply {
  const wanted = p['LaunchTemplateId'] ?? p['LaunchTemplateName'];
  const template = [...iam.launchTemplates.values()].find((t) => t.id === wanted || t.name === wanted);
  if (template === undefined) {
    return {
      status: 400,
      body: `<Response><Errors><Error><Code>InvalidLaunchTemplateId.NotFound</Code><Message>The specified launch template, with template ID ${esc(wanted ?? '')}, does not exist.</Message></Error></Errors><RequestID>demo</RequestID></Response>`,
    };
  }
  const userData =
    template.userData === undefined
      ? ''
      : `<userData>${Buffer.from(template.userData).toString('base64')}</userData>`;
  return {
    status: 200,
    body: `<DescribeLaunchTemplateVersionsResponse xmlns="${EC2_NS}"><requestId>demo</requestId><launchTemplateVersionSet><item><launchTemplateId>${esc(template.id)}</launchTemplateId><launchTemplateName>${esc(template.name)}</launchTemplateName><versionNumber>1</versionNumber><defaultVersion>true</defaultVersion><launchTemplateData><iamInstanceProfile><arn>${esc(template.instanceProfileArn)}</arn></iamInstanceProfile><imageId>${esc(template.imageId)}</imageId>${userData}</launchTemplateData></item></launchTemplateVersionSet></DescribeLaunchTemplateVersionsResponse>`,
  };
}
