/**
 * EC2 adapter for diagnosis: reads the names and descriptions of a trip's AMIs with
 * `DescribeImages`. Called on the trip path only. Best effort: it never throws, because an
 * alert without AMI names is still an alert; what went wrong comes back as a typed problem for
 * the log.
 */
import { DescribeImagesCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import type { ImageInfo } from '../core/diagnose';
import type { ImageInfoSource, ImageLookup, ImageLookupProblem } from '../ports';
import { describeAwsFailure } from './aws-error';
import { cachedClient } from './regional-clients';

/** The IAM actions this adapter calls, for the function's policy. */
export const PERMISSIONS = ['ec2:DescribeImages'] as const;

/** At most this many AMIs are looked up per trip (one request). */
export const MAX_IMAGES = 20;

const NOT_FOUND = new Set(['InvalidAMIID.NotFound', 'InvalidAMIID.Malformed', 'InvalidAMIID.Unavailable']);

/**
 * {@link ImageInfoSource} over the AWS SDK. One client per region, made on first use.
 *
 * @example
 * const images = new Ec2ImageInfo((region) => new EC2Client({ region }));
 */
export class Ec2ImageInfo implements ImageInfoSource {
  private readonly clients = new Map<string, EC2Client>();

  /** @param clientFor makes the EC2 client of a region */
  constructor(private readonly clientFor: (region: string) => EC2Client) {}

  async describe(region: string, imageIds: readonly string[]): Promise<ImageLookup> {
    const ids = [...new Set(imageIds)];
    const asked = ids.slice(0, MAX_IMAGES);
    if (asked.length === 0) return { images: [], missing: [] };
    const first = await this.send(region, asked);
    // One unknown id fails the whole call: then ask for each id alone, to keep the others.
    const result =
      first.problem?.kind === 'failed' && NOT_FOUND.has(first.problem.code) && asked.length > 1
        ? await this.oneByOne(region, asked)
        : first;
    const found = new Set(result.images.map((i) => i.imageId));
    const missing = ids.filter((id) => !found.has(id));
    return { ...result, missing };
  }

  private async oneByOne(region: string, ids: readonly string[]): Promise<ImageLookup> {
    const images: ImageInfo[] = [];
    let problem: ImageLookupProblem | undefined;
    for (const id of ids) {
      const r = await this.send(region, [id]);
      images.push(...r.images);
      if (r.problem !== undefined && !(r.problem.kind === 'failed' && NOT_FOUND.has(r.problem.code))) {
        problem = r.problem;
        break;
      }
    }
    return { images, missing: [], ...(problem ? { problem } : {}) };
  }

  private async send(region: string, ids: readonly string[]): Promise<ImageLookup> {
    try {
      const out = await this.client(region).send(
        new DescribeImagesCommand({ ImageIds: [...ids], IncludeDeprecated: true, IncludeDisabled: true }),
      );
      return { images: (out.Images ?? []).filter((i) => i.ImageId !== undefined).map(toInfo), missing: [] };
    } catch (error) {
      return { images: [], missing: [], problem: toProblem(error) };
    }
  }

  private client(region: string): EC2Client {
    return cachedClient(this.clients, region, (r) => this.clientFor(r));
  }
}

function toInfo(image: Image): ImageInfo {
  return {
    imageId: image.ImageId!,
    ...(image.Name ? { name: image.Name } : {}),
    ...(image.Description ? { description: image.Description } : {}),
    ...(image.ImageOwnerAlias ? { ownerAlias: image.ImageOwnerAlias } : {}),
    ...(image.OwnerId ? { ownerId: image.OwnerId } : {}),
    ...(image.CreationDate ? { creationDate: image.CreationDate } : {}),
    ...(image.Architecture ? { architecture: String(image.Architecture) } : {}),
    ...(image.Platform ? { platform: String(image.Platform) } : {}),
  };
}

/** A blind failure (access denied, …) is `access-denied`; the rest keeps its SDK name and class. */
function toProblem(error: unknown): ImageLookupProblem {
  const { failure, name } = describeAwsFailure(error);
  const message = error instanceof Error ? error.message : String(error);
  return failure === 'blind'
    ? { kind: 'access-denied', message }
    : { kind: 'failed', code: name, message, failure };
}
