/**
 * EC2's operations (EC2 query protocol), answered from a {@link CloudState}: DescribeImages,
 * DescribeInstances and DescribeLaunchTemplateVersions. As EC2 does, one unknown instance id fails
 * the whole DescribeInstances call (`InvalidInstanceID.NotFound`), and ids cannot be combined with
 * `MaxResults`. A launch template has one version here, its default (`1`), whichever is asked.
 */
import type { CloudState, Ec2InstanceView } from './state';
import { ApiError, esc, iso, list, type Operation, type Params, type QueryService } from './wire';

export const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** EC2's numeric state codes (API reference, InstanceState). */
const STATE_CODE: Readonly<Record<string, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** `Filter.N.Name` / `Filter.N.Value.M`: the instance filters the fake knows; any other is refused. */
function filters(p: Params): ((i: Ec2InstanceView) => boolean)[] {
  const out: ((i: Ec2InstanceView) => boolean)[] = [];
  for (let n = 1; p[`Filter.${n}.Name`] !== undefined; n += 1) {
    const name = p[`Filter.${n}.Name`]!;
    const values = new Set(list(p, `Filter.${n}.Value`));
    if (name === 'instance-id') out.push((i) => values.has(i.id));
    else if (name === 'instance-state-name') out.push((i) => values.has(i.state));
    else if (name === 'tag:aws:autoscaling:groupName')
      out.push((i) => i.group !== undefined && values.has(i.group));
    else throw new ApiError('InvalidParameterValue', `The filter '${name}' is invalid`);
  }
  return out;
}

function instanceXml(account: string, i: Ec2InstanceView): string {
  const reason = i.stateReason
    ? `<stateReason><code>${esc(i.stateReason.code)}</code><message>${esc(i.stateReason.message)}</message></stateReason>`
    : '';
  const lifecycle = i.spot ? '<instanceLifecycle>spot</instanceLifecycle>' : '';
  const tags =
    i.group === undefined
      ? ''
      : `<tagSet><item><key>aws:autoscaling:groupName</key><value>${esc(i.group)}</value></item></tagSet>`;
  return `<item><reservationId>r-${i.id.slice(2)}</reservationId><ownerId>${account}</ownerId><groupSet/><instancesSet><item><instanceId>${i.id}</instanceId><imageId>${i.imageId}</imageId><instanceState><code>${STATE_CODE[i.state] ?? 0}</code><name>${i.state}</name></instanceState><reason/><amiLaunchIndex>0</amiLaunchIndex><instanceType>${i.type}</instanceType><launchTime>${iso(i.launchTime)}</launchTime><placement><availabilityZone>${i.zone}</availabilityZone></placement>${reason}${lifecycle}${tags}</item></instancesSet></item>`;
}

/** EC2's operations by name. */
export const EC2_OPERATIONS: Readonly<Record<string, Operation<CloudState, Params, string>>> = {
  DescribeImages: ({ state }, p) => {
    const items = list(p, 'ImageId')
      .flatMap((id) => {
        const image = state.image(id);
        return image === undefined
          ? []
          : [
              `<item><imageId>${id}</imageId><name>${esc(image.name)}</name><description>${esc(image.description)}</description><imageOwnerAlias>amazon</imageOwnerAlias><architecture>x86_64</architecture><imageState>available</imageState><public>true</public></item>`,
            ];
      })
      .join('');
    return `<imagesSet>${items}</imagesSet>`;
  },
  DescribeInstances: ({ state }, p) => {
    const ids = list(p, 'InstanceId');
    if (ids.length > 0 && p['MaxResults'] !== undefined)
      throw new ApiError(
        'InvalidParameterCombination',
        'The parameter instancesSet cannot be used with the parameter maxResults',
      );
    const found: Ec2InstanceView[] = [];
    for (const id of ids) {
      const i = state.ec2Instance(id);
      if (i === undefined)
        throw new ApiError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      found.push(i);
    }
    const wanted = filters(p);
    const chosen = (ids.length > 0 ? found : state.ec2Instances()).filter((i) => wanted.every((f) => f(i)));
    return `<reservationSet>${chosen.map((i) => instanceXml(state.account, i)).join('')}</reservationSet>`;
  },
  DescribeLaunchTemplateVersions: ({ state }, p) => {
    const wanted = p['LaunchTemplateId'] ?? p['LaunchTemplateName'] ?? '';
    const t = state.launchTemplate(wanted);
    if (t === undefined)
      throw new ApiError(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${wanted}, does not exist.`,
      );
    const userData =
      t.userData === undefined ? '' : `<userData>${Buffer.from(t.userData).toString('base64')}</userData>`;
    return `<launchTemplateVersionSet><item><launchTemplateId>${esc(t.id)}</launchTemplateId><launchTemplateName>${esc(t.name)}</launchTemplateName><versionNumber>1</versionNumber><defaultVersion>true</defaultVersion><launchTemplateData><iamInstanceProfile><arn>${esc(t.instanceProfileArn)}</arn></iamInstanceProfile><imageId>${esc(t.imageId)}</imageId>${userData}</launchTemplateData></item></launchTemplateVersionSet>`;
  },
};

/** EC2 as a service of the fake cloud: it answers every query `Version` no other service claims. */
export const EC2: QueryService<CloudState> = {
  protocol: 'ec2',
  service: 'ec2',
  namespace: EC2_NS,
  unknownCode: 'InvalidAction',
  operations: EC2_OPERATIONS,
};
