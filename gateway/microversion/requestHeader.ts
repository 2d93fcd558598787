import type { IncomingHttpHeaders } from 'node:http';
import type { VersionedService } from './service';
import { joinedHeader } from '../http/headerValues';

/**
 * Python's str.split()/strip() whitespace, restricted to Latin-1: Node decodes header
 * values as Latin-1, as WSGI servers do, so this is the set microversion-parse sees.
 */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
const PY_SERVICE_AND_VERSION = new RegExp(`^([^${PY_SPACE}]+)[${PY_SPACE}]+([^]*)$`);

export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

/**
 * The requested version string exactly as microversion-parse's get_version returns it:
 * undefined when no version was asked for, else the raw (trimmed) text, possibly
 * "latest" or malformed. Repeated header lines arrive folded with "," by Node.
 */
export function requestedVersionText(headers: IncomingHttpHeaders, service: VersionedService): string | undefined {
  const standard = joinedHeader(headers['openstack-api-version']);
  if (standard) {
    const fromStandard = standardHeaderVersion(standard, service.serviceType.toLowerCase());
    if (fromStandard) return fromStandard;
  }
  const legacy = joinedHeader(headers[service.legacyHeader.toLowerCase()]);
  if (legacy === undefined) return undefined;
  const parts = legacy.split(',');
  return pyStrip(parts[parts.length - 1]);
}

function standardHeaderVersion(value: string, serviceType: string): string | undefined {
  const entries = value.split(',');
  for (let i = entries.length - 1; i >= 0; i--) {
    const m = PY_SERVICE_AND_VERSION.exec(pyStrip(entries[i]));
    if (m && m[1].toLowerCase() === serviceType) return pyStrip(m[2]);
  }
  return undefined;
}
