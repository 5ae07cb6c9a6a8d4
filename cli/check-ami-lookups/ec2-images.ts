/**
 * EC2 adapter for `check-ami-lookups --online`: asks `DescribeImages` for the images a Terraform
 * lookup can return, with the lookup's own owners and filters, every page.
 */
import { type EC2Client, type Filter, paginateDescribeImages } from '@aws-sdk/client-ec2';
import type { ImageSummary } from './check';
import type { AmiLookup } from './lookups';

/** The IAM actions this adapter calls (read-only), for whoever runs the command. */
export const PERMISSIONS = ['ec2:DescribeImages'] as const;

/** A `DescribeImages` call that failed; `cause` is the SDK's error. */
export class ImageSearchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageSearchError';
  }
}

/** Finds the images a lookup matches. */
export interface ImageFinder {
  /** @throws ImageSearchError when EC2 cannot be asked */
  find(lookup: AmiLookup): Promise<ImageSummary[]>;
}

/** {@link ImageFinder} over the AWS SDK, in the client's region. */
export class Ec2ImageFinder implements ImageFinder {
  constructor(private readonly client: EC2Client) {}

  async find(lookup: AmiLookup): Promise<ImageSummary[]> {
    const filters: Filter[] = lookup.filters.map((f) => ({ Name: f.name, Values: [...f.values] }));
    const images: ImageSummary[] = [];
    try {
      const pages = paginateDescribeImages(
        { client: this.client, pageSize: 1000 },
        {
          ...(lookup.owners.length > 0 ? { Owners: [...lookup.owners] } : {}),
          ...(lookup.executableUsers.length > 0 ? { ExecutableUsers: [...lookup.executableUsers] } : {}),
          ...(filters.length > 0 ? { Filters: filters } : {}),
          // Terraform's aws_ami leaves deprecated images out unless include_deprecated is set.
          ...(lookup.includeDeprecated ? { IncludeDeprecated: true } : {}),
        },
      );
      for await (const page of pages) {
        for (const image of page.Images ?? []) {
          if (image.ImageId === undefined || image.Name === undefined) continue;
          images.push({ imageId: image.ImageId, name: image.Name, creationDate: image.CreationDate ?? '' });
        }
      }
    } catch (error) {
      throw new ImageSearchError(`DescribeImages failed for ${lookup.address}`, { cause: error });
    }
    return images;
  }
}
