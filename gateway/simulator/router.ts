/**
 * The compute API's route table (compute/routes.py ROUTE_LIST subset) and Nova's
 * ProjectMapper matching: each path is tried first with a `/{project_id}` prefix
 * (`[0-9a-f-]+`), then without; the first route whose path and method match wins.
 */
import {
  createImageMetadata,
  deleteImageMetadataItem,
  indexImageMetadata,
  showImageMetadataItem,
  updateAllImageMetadata,
  updateImageMetadataItem,
} from './imageMetadata';
import { deleteImage, listImages, listImagesDetail, showImage } from './images';
import { limitsOperation, type LimitsKeyOrder } from './limits';
import type { Operation, ResourceTarget } from './resource';
import { listServers, SERVER_ACTIONS } from './servers';
import { showVersion } from './versionsDoc';

interface CompiledRoute {
  readonly withProject: RegExp;
  readonly plain: RegExp;
  readonly methods: Readonly<Record<string, ResourceTarget>>;
}

export interface RouteMatch {
  readonly target: ResourceTarget;
  readonly args: Record<string, string>;
  readonly projectId?: string;
}

const PROJECT_ID = '(?<project_id>[0-9a-f-]+)';

function compile(path: string, methods: Record<string, ResourceTarget>): CompiledRoute {
  const body = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return { withProject: new RegExp(`^/${PROJECT_ID}${body}$`), plain: new RegExp(`^${body}$`), methods };
}

const m = (op: Operation): ResourceTarget => ({ kind: 'method', op });

export function buildRoutes(limitsOrder: LimitsKeyOrder): CompiledRoute[] {
  return [
    compile('/', { GET: m(showVersion) }),
    compile('/versions/{id}', { GET: m(showVersion) }),
    compile('/images', { GET: m(listImages) }),
    compile('/images/detail', { GET: m(listImagesDetail) }),
    compile('/images/{id}', { GET: m(showImage), DELETE: m(deleteImage) }),
    compile('/images/{image_id}/metadata', {
      GET: m(indexImageMetadata),
      POST: m(createImageMetadata),
      PUT: m(updateAllImageMetadata),
    }),
    compile('/images/{image_id}/metadata/{id}', {
      GET: m(showImageMetadataItem),
      PUT: m(updateImageMetadataItem),
      DELETE: m(deleteImageMetadataItem),
    }),
    compile('/limits', { GET: m(limitsOperation(limitsOrder)) }),
    compile('/servers', { GET: m(listServers) }),
    compile('/servers/{id}/action', { POST: { kind: 'action', actions: SERVER_ACTIONS } }),
  ];
}

/** A trailing ".json" format suffix is accepted and dropped before matching. */
export function matchRoute(routes: readonly CompiledRoute[], method: string, pathInfo: string): RouteMatch | undefined {
  const path = pathInfo.endsWith('.json') && pathInfo.length > 5 ? pathInfo.slice(0, -5) : pathInfo;
  for (const route of routes) {
    const target = Object.prototype.hasOwnProperty.call(route.methods, method) ? route.methods[method] : undefined;
    if (!target) continue;
    for (const re of [route.withProject, route.plain]) {
      const found = re.exec(path);
      if (!found) continue;
      const { project_id: projectId, ...args } = { ...found.groups };
      return { target, args, projectId };
    }
  }
  return undefined;
}
