/**
 * The two property quotas: Nova's `metadata_items` (common.check_img_metadata_properties_quota,
 * DbQuotaDriver.limit_check: exceeded when limit >= 0 and count > limit; an empty dict is
 * never checked) and Glance's `image_property_quota` (checked when a save adds properties).
 */
import type { SimulatorConfig } from './config';
import { FaultError } from './reply';

export function checkImageMetadataQuota(config: SimulatorConfig, count: number): void {
  const limit = config.quotas.metadata_items;
  if (count > 0 && limit >= 0 && count > limit) throw new FaultError(403, 'Image metadata limit exceeded');
}

export function overGlancePropertyQuota(config: SimulatorConfig, count: number): boolean {
  const limit = config.imagePropertyQuota;
  return limit >= 0 && count > limit;
}

/** The message of Glance's ImagePropertyLimitExceeded. */
export function glancePropertyLimitMessage(config: SimulatorConfig, attempted: number): string {
  return (
    'The limit has been exceeded on the number of allowed image properties. ' +
    `Attempted: ${attempted}, Maximum: ${config.imagePropertyQuota}`
  );
}

/** What Nova answers when an exception it does not expect escapes a controller. */
export function unexpectedApiError(pythonClass: string): FaultError {
  return new FaultError(
    500,
    'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the ' +
      `Nova API log if possible.\n<class '${pythonClass}'>`,
  );
}
