/** What a RunInstances or CreateFleet request names: the AMI, the group, the template, the count. */
import { asObject, isObject, type Json, list, positiveCount, str, tagValue } from './event-json';
import { GROUP_TAG } from './parse-event-terms';

function runRequestItem(request: Json | undefined): Json | undefined {
  const items = asObject(request?.['instancesSet'])?.['items'];
  return Array.isArray(items) ? asObject(items[0]) : undefined;
}

/** The AMI a RunInstances request names (its first item, else the request). */
export function runRequestImage(request: Json | undefined): string | undefined {
  return str(runRequestItem(request)?.['imageId']) ?? str(request?.['imageId']);
}

/** The `minCount` a RunInstances request asked for (its first item, else the request), else 1. */
export function runRequestMinCount(request: Json | undefined): number {
  return positiveCount(runRequestItem(request)?.['minCount']) ?? positiveCount(request?.['minCount']) ?? 1;
}

/** The group a RunInstances request tags its instances with. */
export function runRequestGroup(request: Json | undefined): string | undefined {
  for (const spec of list(asObject(request?.['tagSpecificationSet'])?.['items'])) {
    if (!isObject(spec) || spec['resourceType'] !== 'instance') continue;
    const group = tagValue(list(spec['tags']), GROUP_TAG);
    if (group !== undefined) return group;
  }
  return undefined;
}

function fleetRequest(request: Json | undefined): Json | undefined {
  return asObject(request?.['CreateFleetRequest']);
}

/** The group a CreateFleet request tags its instances or fleet with. */
export function fleetRequestGroup(request: Json | undefined): string | undefined {
  for (const spec of list(fleetRequest(request)?.['TagSpecification'])) {
    if (!isObject(spec)) continue;
    const type = spec['ResourceType'];
    if (type !== 'instance' && type !== 'fleet') continue;
    const group = tagValue(list(spec['Tag']), GROUP_TAG);
    if (group !== undefined) return group;
  }
  return undefined;
}

function fleetConfigs(request: Json | undefined): Json[] {
  return list(fleetRequest(request)?.['LaunchTemplateConfigs']).filter(isObject);
}

/** The launch template id when the request names exactly one. */
export function fleetRequestTemplate(request: Json | undefined): string | undefined {
  const ids = new Set<string>();
  for (const config of fleetConfigs(request)) {
    const id = str(asObject(config['LaunchTemplateSpecification'])?.['LaunchTemplateId']);
    if (id !== undefined) ids.add(id);
  }
  return ids.size === 1 ? [...ids][0] : undefined;
}

/** The AMI when the request's overrides name exactly one. */
export function fleetRequestImage(request: Json | undefined): string | undefined {
  const ids = new Set<string>();
  for (const config of fleetConfigs(request)) {
    for (const override of list(config['Overrides'])) {
      const id = isObject(override) ? str(override['ImageId']) : undefined;
      if (id !== undefined) ids.add(id);
    }
  }
  return ids.size === 1 ? [...ids][0] : undefined;
}

/** `instanceIds` of a fleet item: a string, an array, or `{item: string | string[]}`. */
export function fleetInstanceIds(value: unknown): string[] {
  const inner = isObject(value) ? value['item'] : value;
  const out: string[] = [];
  for (const v of Array.isArray(inner) ? inner : [inner]) {
    const id = str(v);
    if (id !== undefined) out.push(id);
  }
  return out;
}

/** The instance ids of an `instancesSet`. */
export function instanceIdsOf(instancesSet: unknown): string[] {
  const out: string[] = [];
  for (const item of list(asObject(instancesSet)?.['items'])) {
    const id = isObject(item) ? str(item['instanceId']) : undefined;
    if (id !== undefined) out.push(id);
  }
  return out;
}
