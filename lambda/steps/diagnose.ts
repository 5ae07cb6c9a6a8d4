/**
 * Diagnosis on the trip path: read the AMIs (`DescribeImages`) and name the likely cause.
 * Never fails the trip: what cannot be read is left out of the alert.
 */
import { diagnose } from '../core/diagnose';
import type { TripReport } from '../core/report';
import type { Diagnoser, GuardLog, ImageInfoSource } from '../ports';

/** {@link Diagnoser} over EC2's image descriptions. */
export class ImageDiagnoser implements Diagnoser {
  constructor(
    private readonly images: ImageInfoSource,
    private readonly log: GuardLog,
  ) {}

  async diagnose(report: TripReport): Promise<Pick<TripReport, 'diagnosis' | 'imageNames'>> {
    const lookup = await this.images.describe(report.scope.region, report.imageIds);
    if (lookup.problem) this.log.warn('AMIs could not be read for diagnosis', { problem: lookup.problem });
    const imageNames: Record<string, string> = {};
    for (const image of lookup.images) if (image.name) imageNames[image.imageId] = image.name;
    return { diagnosis: diagnose({ images: lookup.images, callers: report.callers }), imageNames };
  }
}
