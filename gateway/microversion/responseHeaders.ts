import type { OutgoingHttpHeaders } from 'node:http';
import { STANDARD_VERSION_HEADER, type VersionedService } from './service';

/**
 * The four headers Nova's wsgi.Resource adds to every answer once the request version is
 * known: both version headers and two separate Vary lines.
 */
export interface VersionHeaderSet {
  readonly standardName: string;
  readonly legacyName: string;
  readonly vary: readonly string[];
  standardValue(version: string): string;
}

export function versionHeaderSet(service: VersionedService): VersionHeaderSet {
  return {
    standardName: STANDARD_VERSION_HEADER,
    legacyName: service.legacyHeader,
    vary: [STANDARD_VERSION_HEADER, service.legacyHeader],
    standardValue: (version) => `${service.serviceType} ${version}`,
  };
}

export function versionHeaders(set: VersionHeaderSet, version: string): OutgoingHttpHeaders {
  return {
    [set.standardName]: set.standardValue(version),
    [set.legacyName]: version,
    Vary: [...set.vary],
  };
}
