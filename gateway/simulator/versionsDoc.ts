/**
 * Version discovery documents (nova/api/openstack/compute/versions.py, views/versions.py,
 * versionsV21.py) with Newton-era values for v2.0.
 */
import type { Microversion } from '../microversion/version';
import { MIN_VERSION } from './config';
import { jsonReply, FaultError } from './reply';
import { urlJoin } from './request';
import type { ApiRequest, Operation } from './resource';

interface VersionEntry {
  id: string;
  status: string;
  version: string;
  min_version: string;
  updated: string;
  links: Array<Record<string, string>>;
  'media-types': Array<Record<string, string>>;
}

const DOCS_HREF = 'http://docs.openstack.org/';

/** versions.VERSIONS, keyed and ordered by id. */
export function versionEntries(max: Microversion): Record<string, VersionEntry> {
  return {
    'v2.0': {
      id: 'v2.0',
      status: 'SUPPORTED',
      version: '',
      min_version: '',
      updated: '2011-01-21T11:33:21Z',
      links: [{ rel: 'describedby', type: 'text/html', href: DOCS_HREF }],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2' }],
    },
    'v2.1': {
      id: 'v2.1',
      status: 'CURRENT',
      version: max.text,
      min_version: MIN_VERSION,
      updated: '2013-07-23T11:33:21Z',
      links: [{ rel: 'describedby', type: 'text/html', href: DOCS_HREF }],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
    },
  };
}

function generateHref(baseUrl: string, id: string, path = ''): string {
  return urlJoin(baseUrl, id.startsWith('v2.1') ? 'v2.1' : 'v2', path);
}

/** GET / : {"versions": [...]} */
export function buildVersions(baseUrl: string, max: Microversion): unknown {
  const entries = versionEntries(max);
  return {
    versions: Object.keys(entries)
      .sort()
      .map((key) => {
        const v = entries[key];
        return {
          id: v.id,
          status: v.status,
          version: v.version,
          min_version: v.min_version,
          updated: v.updated,
          links: [{ rel: 'self', href: generateHref(baseUrl, v.id) }],
        };
      }),
  };
}

/** Any other unversioned path: 300 {"choices": [...]} pointing at <base>/v2/<path>, <base>/v2.1/<path>. */
export function buildChoices(baseUrl: string, max: Microversion, quotedPath: string): unknown {
  const entries = versionEntries(max);
  return {
    choices: Object.keys(entries)
      .sort()
      .map((key) => {
        const v = entries[key];
        return {
          id: v.id,
          status: v.status,
          links: [{ rel: 'self', href: generateHref(baseUrl, v.id, quotedPath) }],
          'media-types': v['media-types'],
        };
      }),
  };
}

/** {"version": {...}} with the self link first. */
export function buildVersion(baseUrl: string, max: Microversion, id: string): unknown {
  const entry = versionEntries(max)[id];
  return {
    version: {
      ...entry,
      links: [{ rel: 'self', href: baseUrl.replace(/\/+$/, '') + '/' }, ...entry.links],
    },
  };
}

/** versionsV21.VersionsController.show: id from the URL (default v2.1), v2.0 on legacy /v2. */
export const showVersion: Operation = {
  takesBody: false,
  handle(req: ApiRequest) {
    const id = req.legacyV2 ? 'v2.0' : (req.args.id ?? 'v2.1');
    if (!Object.prototype.hasOwnProperty.call(versionEntries(req.config.range.max), id)) throw new FaultError(404);
    return jsonReply(200, buildVersion(req.applicationUrl, req.config.range.max, id), req.contentType);
  },
};
