/**
 * IAM's operations (awsQuery, Version 2010-05-08): what the instance-role check of the alert
 * reads. `GetInstanceProfile` answers a profile and its one role (`NoSuchEntity`, 404, when
 * unknown); `SimulatePrincipalPolicy` allows the actions listed for the role and denies every other
 * (`implicitDeny`). The launch templates the check reads first are answered by EC2's table
 * (`DescribeLaunchTemplateVersions`, `ec2.ts`) from {@link FakeIam.launchTemplates}.
 *
 * A service of the demo's state only (`services.ts`): the simulator answers no IAM call.
 */
import type { LaunchTemplateView } from './state';
import { ApiError, esc, list, type Operation, type Params, type QueryService, type WireState } from './wire';

export const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** An instance profile and the one role it holds. */
export interface FakeProfile {
  readonly name: string;
  readonly arn: string;
  readonly roleName: string;
  readonly roleArn: string;
}

/** A launch template's default version, as far as the role check reads it. */
export type FakeLaunchTemplate = LaunchTemplateView;

/** The demo's IAM: profiles, and the actions each role may call (anything else is denied). */
export interface FakeIam {
  readonly profiles: Map<string, FakeProfile>;
  /** The actions each principal (role ARN) is allowed. */
  readonly allowed: Map<string, ReadonlySet<string>>;
  /** Launch templates by id (EC2's, kept here beside the profiles they name). */
  readonly launchTemplates: Map<string, FakeLaunchTemplate>;
}

/** An empty IAM. */
export function fakeIam(): FakeIam {
  return { profiles: new Map(), allowed: new Map(), launchTemplates: new Map() };
}

/** A state IAM can answer from. */
export interface IamState extends WireState {
  readonly iam: FakeIam;
}

type IamOperation = Operation<IamState, Params, string>;

/** IAM's operations by name. */
export const IAM_OPERATIONS: Readonly<Record<string, IamOperation>> = {
  GetInstanceProfile: ({ state }, p) => {
    const name = p['InstanceProfileName'] ?? '';
    const profile = state.iam.profiles.get(name);
    if (profile === undefined)
      throw new ApiError('NoSuchEntity', `Instance Profile ${name} cannot be found.`, 404);
    return `<InstanceProfile><Path>/</Path><InstanceProfileName>${esc(profile.name)}</InstanceProfileName><InstanceProfileId>AIPADEMO0000000000001</InstanceProfileId><Arn>${esc(profile.arn)}</Arn><CreateDate>2025-11-02T09:00:00Z</CreateDate><Roles><member><Path>/</Path><RoleName>${esc(profile.roleName)}</RoleName><RoleId>AROADEMO0000000000001</RoleId><Arn>${esc(profile.roleArn)}</Arn><CreateDate>2025-11-02T09:00:00Z</CreateDate></member></Roles></InstanceProfile>`;
  },
  SimulatePrincipalPolicy: ({ state }, p) => {
    const allowed = state.iam.allowed.get(p['PolicySourceArn'] ?? '') ?? new Set<string>();
    const resource = list(p, 'ResourceArns')[0] ?? '*';
    const results = list(p, 'ActionNames')
      .map(
        (a) =>
          `<member><EvalActionName>${esc(a)}</EvalActionName><EvalResourceName>${esc(resource)}</EvalResourceName><EvalDecision>${allowed.has(a) ? 'allowed' : 'implicitDeny'}</EvalDecision></member>`,
      )
      .join('');
    return `<EvaluationResults>${results}</EvaluationResults><IsTruncated>false</IsTruncated>`;
  },
};

/** IAM as a service of the fake cloud. */
export const IAM: QueryService<IamState> = {
  protocol: 'awsQuery',
  service: 'iam',
  version: '2010-05-08',
  namespace: IAM_NS,
  unknownCode: 'InvalidAction',
  operations: IAM_OPERATIONS,
};
