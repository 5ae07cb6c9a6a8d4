/**
 * The rule of `check-ami-lookups`: a `most_recent` lookup whose filters can return images of more
 * than one AMI family is a finding, because `most_recent` then picks whichever family published
 * last (the incident: `al2023-ami-*-x86_64` picked the ECS Neuron AMI). Pure: the images of an
 * online check arrive as values.
 */
import {
  AMI_FAMILIES,
  type AmiFamily,
  familiesMatchedByAll,
  familyOfImageName,
  patternsOverlap,
  wildcardMatches,
} from '../../lambda/core/ami-family';
import type { AmiLookup } from './lookups';

/** An image as `DescribeImages` describes it (the fields used here). */
export interface ImageSummary {
  readonly imageId: string;
  readonly name: string;
  readonly creationDate: string;
}

/** The newest image of one family among a lookup's real matches. */
export interface NewestImage {
  /** A catalogue family id, or `unknown` for names the catalogue has no family for. */
  readonly family: string;
  readonly imageId: string;
  readonly name: string;
  readonly creationDate: string;
  /** How many images of this family the lookup matched. */
  readonly matches: number;
}

/** One risky lookup. The JSON output's shape: keep it stable. */
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly address: string;
  readonly nameFilters: readonly string[];
  readonly owners: readonly string[];
  /** Catalogue family ids, in catalogue order. */
  readonly families: readonly string[];
  /** Only with `--online`: the newest real image of each family. */
  readonly newestImages?: readonly NewestImage[];
}

/** The values of the lookup's `name` filters, one list per filter (filters AND, values OR). */
export function nameFilterGroups(lookup: AmiLookup): string[][] {
  return lookup.filters.filter((f) => f.name === 'name').map((f) => [...f.values]);
}

/** The owners EC2 will search: `owners`, else the `owner-alias`/`owner-id` filters, else anyone. */
export function effectiveOwners(lookup: AmiLookup): string[] {
  if (lookup.owners.length > 0) return [...lookup.owners];
  return lookup.filters
    .filter((f) => f.name === 'owner-alias' || f.name === 'owner-id')
    .flatMap((f) => f.values);
}

/**
 * The catalogue families the lookup can return, from its name filters, owners and `name_regex`.
 *
 * `name_regex` is applied (by Terraform, after EC2 filtered) to the catalogue's example names: a
 * family is dropped when it has examples that pass the name filters and none of them passes the
 * regex. A lookup with an `image-id` filter is pinned and matches no family.
 */
export function familiesOfLookup(lookup: AmiLookup): AmiFamily[] {
  if (lookup.filters.some((f) => f.name === 'image-id')) return [];
  const owners = effectiveOwners(lookup);
  const groups = nameFilterGroups(lookup);
  // Filters AND, the values of one filter OR: try one value from each filter at a time.
  const matched = new Set(combinations(groups).flatMap((values) => familiesMatchedByAll(values, owners)));
  let families = AMI_FAMILIES.filter((f) => matched.has(f));
  // An architecture filter drops the families whose every naming rule names another architecture.
  const archs = lookup.filters.filter((f) => f.name === 'architecture').flatMap((f) => f.values);
  if (archs.length > 0)
    families = families.filter((family) => family.namePatterns.some((p) => fitsArch(p, archs)));
  const regex = regexOf(lookup.nameRegex);
  if (regex !== undefined) {
    families = families.filter((family) => {
      const inFilter = family.examples.filter((ex) =>
        groups.every((g) => g.some((v) => wildcardMatches(v, ex))),
      );
      return inFilter.length === 0 || inFilter.some((ex) => regex.test(ex));
    });
  }
  return families;
}

/** Every way to pick one value from each group (one empty pick for no groups). */
function combinations(groups: readonly (readonly string[])[]): string[][] {
  return groups.reduce<string[][]>((acc, g) => acc.flatMap((pick) => g.map((v) => [...pick, v])), [[]]);
}

/** Architecture words as they appear in AMI names (Bottlerocket says aarch64 for arm64). */
const ARCH_WORDS: Record<string, readonly string[]> = { x86_64: ['x86_64'], arm64: ['arm64', 'aarch64'] };

/** Whether a naming rule names no architecture, or one of these (EC2's `architecture` values). */
function fitsArch(pattern: string, archs: readonly string[]): boolean {
  const named = Object.entries(ARCH_WORDS).filter(([, words]) => words.some((w) => pattern.includes(w)));
  return named.length === 0 || named.some(([arch]) => archs.includes(arch));
}

/** Terraform takes Go's RE2 syntax; the common subset reads the same in JavaScript. */
function regexOf(source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch {
    return undefined; // a regex JavaScript cannot read narrows nothing here
  }
}

/**
 * Check one lookup.
 *
 * @param images with `--online`: the images `DescribeImages` returned for the lookup's owners and filters
 * @returns the finding, or undefined when the lookup can return at most one family
 */
export function checkLookup(lookup: AmiLookup, images?: readonly ImageSummary[]): Finding | undefined {
  const offline = familiesOfLookup(lookup).map((f) => f.id);
  const newest = images === undefined ? undefined : newestByFamily(images);
  const online = (newest ?? []).map((n) => n.family).filter((id) => id !== 'unknown');
  const families = AMI_FAMILIES.map((f) => f.id).filter((id) => offline.includes(id) || online.includes(id));
  if (families.length < 2) return undefined;
  return {
    file: lookup.file,
    line: lookup.line,
    address: lookup.address,
    nameFilters: nameFilterGroups(lookup).flat(),
    owners: effectiveOwners(lookup),
    families,
    ...(newest === undefined ? {} : { newestImages: newest }),
  };
}

/** The newest image of each family (catalogue order, `unknown` last). */
export function newestByFamily(images: readonly ImageSummary[]): NewestImage[] {
  const byFamily = new Map<string, { newest: ImageSummary; matches: number }>();
  for (const image of images) {
    const family = familyOfImageName(image.name)?.id ?? 'unknown';
    const seen = byFamily.get(family);
    if (seen === undefined) byFamily.set(family, { newest: image, matches: 1 });
    else {
      seen.matches += 1;
      if (image.creationDate > seen.newest.creationDate) seen.newest = image;
    }
  }
  const order = [...AMI_FAMILIES.map((f) => f.id), 'unknown'];
  return [...byFamily]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([family, { newest, matches }]) => ({
      family,
      imageId: newest.imageId,
      name: newest.name,
      creationDate: newest.creationDate,
      matches,
    }));
}

/** One way to keep a family, for the fix line of a finding. */
export interface FamilyFix {
  readonly family: AmiFamily;
  /** The family's own naming rule that fits the lookup's filters. */
  readonly pattern: string;
  /** An SSM public parameter naming the family's latest image, if AWS publishes one. */
  readonly ssmParameter?: string;
}

/** For each family of a finding: a narrower pattern and, where there is one, an SSM parameter. */
export function fixesFor(lookup: AmiLookup, families: readonly string[]): FamilyFix[] {
  const groups = nameFilterGroups(lookup);
  return AMI_FAMILIES.filter((f) => families.includes(f.id)).map((family) => {
    const pattern =
      family.namePatterns.find((p) => groups.every((g) => g.some((v) => patternsOverlap(p, v)))) ??
      family.namePatterns[0]!;
    const arch = pattern.includes('arm64') || pattern.includes('aarch64') ? /arm64/ : /x86_64|^(?!.*arm64)/;
    const ssmParameter = family.ssmParameters.find((p) => arch.test(p)) ?? family.ssmParameters[0];
    return { family, pattern, ...(ssmParameter === undefined ? {} : { ssmParameter }) };
  });
}
