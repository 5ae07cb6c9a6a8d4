/**
 * # The AMI-change check
 *
 * The incident behind this guard gave a sign before any loop: a group that had launched the
 * standard Amazon Linux 2023 AMI for weeks launched, once, the ECS-optimized Neuron AMI. This
 * file tells, from plain values, whether a launch used an AMI new to its group, and how far the
 * new image is from the old one.
 *
 * **Is the AMI new?** The group's store item keeps `a`, the AMI ids its recent launches used (a
 * small string set, at most `MAX_SET` of them, so a mixed-instances group that alternates AMIs
 * keeps them all). The record write adds the launch's AMIs to that set with `ADD` and returns the
 * item as it was before (`ALL_OLD`). DynamoDB applies writes to one item one at a time, so of
 * several writers that add the same AMI (duplicate deliveries, concurrent containers) exactly
 * one finds it missing from the old set: only that one reports the change. A group whose old
 * set is empty (no history yet, or the set was just dropped for size) reports nothing.
 *
 * **How far is it?** Each image belongs to a family (standard, minimal, ECS-optimized, ECS GPU,
 * ECS Neuron, EKS-optimized, Deep Learning, Windows, Bottlerocket …), read from its name. A
 * change of family is likely unintended (severity high); a newer release of the same family is
 * routine (low); when an image could not be read or its family is unknown the guard cannot
 * tell (medium). Images outside the catalogue (an organisation's own builds) belong to the
 * "series" of their name with the digits left out, so `my-app-2025-12-01` and
 * `my-app-2025-12-08` are a routine upgrade.
 */

/** The families of public AMIs this check recognises (the names the AMI-family catalogue uses). */
export const AMI_FAMILY = {
  al2023Standard: 'al2023-standard',
  al2023Minimal: 'al2023-minimal',
  al2023Ecs: 'al2023-ecs',
  al2023EcsGpu: 'al2023-ecs-gpu',
  al2023EcsNeuron: 'al2023-ecs-neuron',
  al2Standard: 'al2-standard',
  al2Ecs: 'al2-ecs',
  eks: 'eks',
  deepLearning: 'deep-learning',
  windows: 'windows',
  bottlerocket: 'bottlerocket',
} as const;
export type AmiFamily = (typeof AMI_FAMILY)[keyof typeof AMI_FAMILY];

import { AMI_FAMILIES, familyOfImageName } from './ami-family';

/**
 * Name rules, first match wins. Sources: the AL2023 names in the Amazon Linux 2023 user guide
 * and `DescribeImages` listings (`al2023-ami-2023.<ver>-kernel-…`, `al2023-ami-minimal-…`,
 * `al2023-ami-ecs-hvm-…`, `al2023-ami-ecs-gpu-hvm-…`, `al2023-ami-ecs-neuron-hvm-…`); the ECS
 * developer guide's AL2 names (`amzn2-ami-ecs-hvm-…`, `amzn2-ami-ecs-gpu-hvm-…`,
 * `amzn2-ami-ecs-inf-hvm-…`, `amzn2-ami-ecs-kernel-5.10-hvm-…`); EKS (`amazon-eks-node-…`,
 * `amazon-eks-gpu-node-…`, `amazon-eks-arm64-node-…`); `Deep Learning …`; `Windows_Server-…`;
 * `bottlerocket-…`.
 */
const FAMILY_RULES: readonly { readonly family: AmiFamily; readonly name: RegExp }[] = [
  { family: AMI_FAMILY.windows, name: /^windows_server-/i },
  { family: AMI_FAMILY.bottlerocket, name: /^bottlerocket-/i },
  { family: AMI_FAMILY.deepLearning, name: /^deep learning /i },
  { family: AMI_FAMILY.eks, name: /^amazon-eks-/i },
  { family: AMI_FAMILY.al2023EcsNeuron, name: /^al2023-ami-ecs-neuron-/i },
  { family: AMI_FAMILY.al2023EcsGpu, name: /^al2023-ami-ecs-gpu-/i },
  { family: AMI_FAMILY.al2023Ecs, name: /^al2023-ami-ecs-/i },
  { family: AMI_FAMILY.al2023Minimal, name: /^al2023-ami-minimal-/i },
  { family: AMI_FAMILY.al2023Standard, name: /^al2023-ami-20\d\d\./i },
  { family: AMI_FAMILY.al2Ecs, name: /^amzn2-ami-ecs-/i },
  { family: AMI_FAMILY.al2Standard, name: /^amzn2-ami-(kernel-[\d.]+-)?hvm-/i },
];

/**
 * The family of a public AMI, from its name; undefined when the name fits no rule. The shared
 * catalogue (`ami-family.ts`, also behind `check-ami-lookups`) decides first; the short rules
 * above cover names it does not list (EKS's older `amazon-eks-node-…`, Bottlerocket variants).
 */
export function familyOf(name: string): string | undefined {
  return familyOfImageName(name)?.id ?? FAMILY_RULES.find((rule) => rule.name.test(name))?.family;
}

/** How a family reads in a sentence ("instances use the ECS-optimized Neuron AMI"). */
export const FAMILY_LABEL: Readonly<Record<string, string>> = {
  ...Object.fromEntries(AMI_FAMILIES.map((f) => [f.id, `the ${f.label} AMI`])),
  [AMI_FAMILY.al2023Standard]: 'the standard Amazon Linux 2023 AMI',
  [AMI_FAMILY.al2023Minimal]: 'the minimal Amazon Linux 2023 AMI',
  [AMI_FAMILY.al2023Ecs]: 'the ECS-optimized AMI',
  [AMI_FAMILY.al2023EcsGpu]: 'the ECS-optimized GPU AMI',
  [AMI_FAMILY.al2023EcsNeuron]: 'the ECS-optimized Neuron AMI',
  [AMI_FAMILY.al2Standard]: 'the Amazon Linux 2 AMI',
  [AMI_FAMILY.al2Ecs]: 'the ECS-optimized Amazon Linux 2 AMI',
  [AMI_FAMILY.eks]: 'the EKS-optimized AMI',
  [AMI_FAMILY.deepLearning]: 'a Deep Learning AMI',
  [AMI_FAMILY.windows]: 'a Windows AMI',
  [AMI_FAMILY.bottlerocket]: 'a Bottlerocket AMI',
};

/** The families whose instances run the ECS agent and must join a cluster. */
export const ECS_FAMILIES: ReadonlySet<string> = new Set([
  AMI_FAMILY.al2023Ecs,
  AMI_FAMILY.al2023EcsGpu,
  AMI_FAMILY.al2023EcsNeuron,
  AMI_FAMILY.al2Ecs,
  ...AMI_FAMILIES.filter(
    (f) => f.kind.startsWith('ecs') || f.kind.endsWith('-ecs') || f.id.includes('-ecs'),
  ).map((f) => f.id),
]);

/** What `DescribeImages` told about one AMI (only `imageId` when it could not be read). */
export interface ImageFacts {
  readonly imageId: string;
  readonly name?: string;
  /** `amazon`, `aws-marketplace`, … or undefined for a private or third-party image. */
  readonly ownerAlias?: string;
  readonly ownerId?: string;
  /** ISO 8601, as EC2 gives it. */
  readonly creationDate?: string;
  readonly architecture?: string;
  /** `windows` for Windows images. */
  readonly platform?: string;
}

/** How the new AMI relates to the group's earlier ones. */
export const AMI_CHANGE = {
  /** The family changed (standard → ECS Neuron): likely unintended. */
  familyChange: 'family-change',
  /** A newer release of the same family: routine. */
  routine: 'routine',
  /** An image could not be read, or a family is unknown: the guard cannot tell. */
  unknown: 'unknown',
} as const;
export type AmiChangeKind = (typeof AMI_CHANGE)[keyof typeof AMI_CHANGE];

/** How loudly the change is announced. */
export type AmiChangeSeverity = 'high' | 'medium' | 'low';

/** Which AMI changes are announced: `family` (and unknown ones), `all`, or none. */
export const AMI_CHANGE_ALERTS = { family: 'family', all: 'all', off: 'off' } as const;
export type AmiChangeAlerts = (typeof AMI_CHANGE_ALERTS)[keyof typeof AMI_CHANGE_ALERTS];

/** The AMIs a record write added to its group's history. */
export interface NewImages {
  /** AMI ids of this launch that the group's history did not hold. */
  readonly added: readonly string[];
  /** The history before this launch (never empty). */
  readonly previous: readonly string[];
}

/**
 * The AMIs of a launch that are new to its group.
 *
 * @param before the group's AMI set as the record write found it (`ALL_OLD`)
 * @param after that set with this launch's AMIs added
 * @returns undefined when nothing is new, or when the group has no history yet
 */
export function newImages(before: readonly string[], after: readonly string[]): NewImages | undefined {
  if (before.length === 0) return undefined;
  const known = new Set(before);
  const added = [...new Set(after)].filter((id) => !known.has(id));
  return added.length === 0 ? undefined : { added, previous: [...before] };
}

/** One side of the comparison: the image and its family. */
export interface ImageSide extends ImageFacts {
  readonly family?: string;
}

/** The verdict on one new AMI. */
export interface AmiChangeAssessment {
  readonly change: AmiChangeKind;
  readonly severity: AmiChangeSeverity;
  /** The earlier AMI it is compared with (same architecture and newest, when known). */
  readonly before: ImageSide;
  readonly after: ImageSide;
  /** Earlier AMIs of the group other than `before`. */
  readonly otherPrevious: readonly string[];
  /** Words of the new name that the old name lacks (`ecs`, `neuron`, `hvm`); versions left out. */
  readonly wordsAdded: readonly string[];
}

/** The image with its family (Windows also by platform). */
export function sideOf(image: ImageFacts): ImageSide {
  const family =
    (image.name !== undefined ? familyOf(image.name) : undefined) ??
    (image.platform?.toLowerCase() === 'windows' ? AMI_FAMILY.windows : undefined);
  return family === undefined ? { ...image } : { ...image, family };
}

/**
 * Compare a new AMI with the group's earlier ones.
 *
 * @param after the new AMI (only its id when `DescribeImages` failed)
 * @param previous the group's earlier AMIs, in any order (only ids for those not described)
 * @example
 * assessAmiChange(
 *   { imageId: 'ami-new', name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64' },
 *   [{ imageId: 'ami-old', name: 'al2023-ami-2023.9.20251208-kernel-6.1-x86_64' }],
 * ).change; // 'family-change'
 */
export function assessAmiChange(after: ImageFacts, previous: readonly ImageFacts[]): AmiChangeAssessment {
  const next = sideOf(after);
  const olds = previous.map(sideOf);
  const before = closest(next, olds) ?? { imageId: previous[0]?.imageId ?? '' };
  const nextKey = seriesKey(next);
  const oldKeys = olds.map(seriesKey).filter((k): k is string => k !== undefined);
  let change: AmiChangeKind;
  if (nextKey === undefined || oldKeys.length === 0) change = AMI_CHANGE.unknown;
  else if (oldKeys.includes(nextKey)) change = AMI_CHANGE.routine;
  else change = AMI_CHANGE.familyChange;
  return {
    change,
    severity: SEVERITY[change],
    before,
    after: next,
    otherPrevious: olds.map((o) => o.imageId).filter((id) => id !== before.imageId),
    wordsAdded: wordsAdded(before.name, next.name),
  };
}

const SEVERITY: Readonly<Record<AmiChangeKind, AmiChangeSeverity>> = {
  [AMI_CHANGE.familyChange]: 'high',
  [AMI_CHANGE.unknown]: 'medium',
  [AMI_CHANGE.routine]: 'low',
};

/** Whether a change is announced under the `amiChangeAlerts` setting. */
export function shouldAnnounce(mode: AmiChangeAlerts, change: AmiChangeKind): boolean {
  if (mode === AMI_CHANGE_ALERTS.off) return false;
  return mode === AMI_CHANGE_ALERTS.all || change !== AMI_CHANGE.routine;
}

/** The family, else for an image outside the catalogue its owner and its name without digits. */
function seriesKey(side: ImageSide): string | undefined {
  if (side.family !== undefined) return side.family;
  if (side.name === undefined) return undefined;
  return `series:${side.ownerId ?? side.ownerAlias ?? ''}:${side.name.replace(/\d+/g, '#')}`;
}

/** The earlier image to show beside the new one: same architecture first, then the newest. */
function closest(next: ImageSide, olds: readonly ImageSide[]): ImageSide | undefined {
  const described = olds.filter((o) => o.name !== undefined);
  const pool = described.length > 0 ? described : olds;
  const sameArch = pool.filter((o) => o.architecture !== undefined && o.architecture === next.architecture);
  const candidates = sameArch.length > 0 ? sameArch : pool;
  return [...candidates].sort((a, b) => (b.creationDate ?? '').localeCompare(a.creationDate ?? ''))[0];
}

/** The words (with at least one letter) of the new name that the old name lacks, in order. */
export function wordsAdded(oldName: string | undefined, newName: string | undefined): string[] {
  if (oldName === undefined || newName === undefined) return [];
  const words = (name: string) =>
    name
      .toLowerCase()
      .split(/[-\s()/,:]+/)
      .filter((w) => /[a-z]/.test(w));
  const old = new Set(words(oldName));
  return [...new Set(words(newName))].filter((w) => !old.has(w));
}
