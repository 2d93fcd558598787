import type { IncomingHttpHeaders } from 'node:http';
import { parseMicroversion, type Microversion } from './version';
import { requestedVersionText } from './requestHeader';
import type { VersionedService } from './service';

/** The version range a server accepts: [min, max]. */
export interface VersionRange {
  readonly min: Microversion;
  readonly max: Microversion;
}

export type Negotiation =
  | { readonly ok: true; readonly version: Microversion }
  /** Malformed: Nova answers 400 with no version headers. */
  | { readonly ok: false; readonly status: 400; readonly message: string }
  /** Well-formed but out of range: 406, echoing the requested version in the headers. */
  | { readonly ok: false; readonly status: 406; readonly message: string; readonly echo: string };

/** Nova's wsgi.Request.set_api_version_request, step for step. */
export function negotiateVersion(
  headers: IncomingHttpHeaders,
  service: VersionedService,
  range: VersionRange,
): Negotiation {
  const requested = requestedVersionText(headers, service);
  if (requested === undefined) return { ok: true, version: range.min };
  if (requested === 'latest') return { ok: true, version: range.max };
  const version = parseMicroversion(requested);
  if (!version) {
    return {
      ok: false,
      status: 400,
      message: `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`,
    };
  }
  if (version.key < range.min.key || version.key > range.max.key) {
    return {
      ok: false,
      status: 406,
      message:
        `Version ${version.text} is not supported by the API. ` +
        `Minimum is ${range.min.text} and maximum is ${range.max.text}.`,
      echo: version.text,
    };
  }
  return { ok: true, version };
}
