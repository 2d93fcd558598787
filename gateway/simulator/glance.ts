/**
 * A minimal Glance v2 image API over the shared image store: GET/POST /v2/images,
 * GET/PATCH/DELETE /v2/images/{id}, with Glance's `image_property_quota` (413 when a save
 * that adds properties ends above it). No authentication, as Glance's unauthenticated
 * pipeline (`flavor =`); errors are WebOb pages.
 */
import { randomUUID } from 'node:crypto';
import type { SimulatorConfig } from './config';
import { pythonJsonDumps } from '../nova/pythonJson';
import { orderedObject, PyDict, pyJsonLoads, type PyValue } from './pyjson';
import { JSON_TYPE, jsonReply, reply, withRequestId, type Reply } from './reply';
import { headerValue, type IncomingCall } from './request';
import { isoNow, type ImageRecord, type SimulatorState } from './state';
import { glancePropertyLimitMessage, overGlancePropertyQuota } from './quota';
import { webobError } from './webob';

const PATCH_TYPES = ['application/openstack-images-v2.0-json-patch', 'application/openstack-images-v2.1-json-patch'];
const READ_ONLY = new Set([
  'id', 'status', 'created_at', 'updated_at', 'size', 'virtual_size', 'checksum', 'os_hash_algo',
  'os_hash_value', 'self', 'file', 'schema', 'direct_url', 'locations', 'owner',
]);
const RESERVED = new Set(['deleted', 'deleted_at', 'location']);
/** Writable core attributes and their ImageRecord fields. */
const CORE: Readonly<Record<string, keyof ImageRecord>> = {
  name: 'name',
  visibility: 'visibility',
  protected: 'protected',
  min_ram: 'minRam',
  min_disk: 'minDisk',
  container_format: 'containerFormat',
  disk_format: 'diskFormat',
  tags: 'tags',
  os_hidden: 'osHidden',
};

class GlanceError extends Error {
  constructor(
    readonly status: number,
    readonly explanation?: string,
    readonly headers: Array<[string, string]> = [],
  ) {
    super(explanation ?? String(status));
  }
}

/** Glance's image JSON members in order: extra properties first, then the core attributes. */
export function glanceImageEntries(image: ImageRecord): Array<[string, unknown]> {
  return [
    ...image.properties.entries(),
    ['name', image.name],
    ['disk_format', image.diskFormat],
    ['container_format', image.containerFormat],
    ['visibility', image.visibility],
    ['size', image.size],
    ['virtual_size', image.virtualSize],
    ['status', image.status],
    ['checksum', image.checksum],
    ['protected', image.protected],
    ['min_ram', image.minRam],
    ['min_disk', image.minDisk],
    ['owner', image.owner],
    ['os_hidden', image.osHidden],
    ['os_hash_algo', image.osHashAlgo],
    ['os_hash_value', image.osHashValue],
    ['id', image.id],
    ['created_at', image.createdAt],
    ['updated_at', image.updatedAt],
    ['tags', image.tags],
    ['self', `/v2/images/${image.id}`],
    ['file', `/v2/images/${image.id}/file`],
    ['schema', '/v2/schemas/image'],
  ];
}

function imageObject(image: ImageRecord): Record<string, unknown> {
  return orderedObject(glanceImageEntries(image));
}

export function createGlanceApp(config: SimulatorConfig, state: SimulatorState): (call: IncomingCall) => Promise<Reply> {
  return async (call) => {
    const accept = headerValue(call.headers, 'accept');
    try {
      return withRequestId(route(call), []);
    } catch (e) {
      if (e instanceof GlanceError) return withRequestId(webobError(e.status, accept, e.explanation, e.headers), []);
      throw e;
    }
  };

  function route(call: IncomingCall): Reply {
    const path = call.path.replace(/\/+$/, '') || '/';
    if (path === '/v2/images') {
      if (call.method === 'GET') return list();
      if (call.method === 'POST') return create(call);
      throw new GlanceError(405, undefined, [['Allow', 'GET, POST']]);
    }
    const m = /^\/v2\/images\/([^/]+)$/.exec(path);
    if (!m) throw new GlanceError(404);
    const image = state.images.get(m[1]);
    switch (call.method) {
      case 'GET':
        return ok(200, mustExist(image, m[1]));
      case 'PATCH':
        return patch(call, mustExist(image, m[1]));
      case 'DELETE':
        mustExist(image, m[1]);
        state.images.delete(m[1]);
        return reply(204, []);
      default:
        throw new GlanceError(405, undefined, [['Allow', 'GET, PATCH, DELETE']]);
    }
  }

  function ok(status: number, image: ImageRecord, extra: Array<[string, string]> = []): Reply {
    return reply(status, [['Content-Type', JSON_TYPE], ...extra], pythonJsonDumps(imageObject(image)));
  }

  function list(): Reply {
    const images = state.listImages().map(imageObject);
    return jsonReply(200, { images, first: '/v2/images', schema: '/v2/schemas/images' });
  }

  function create(call: IncomingCall): Reply {
    const body = parseBody(call);
    if (!(body instanceof PyDict)) throw new GlanceError(400, 'Body expected in request.');
    const id = typeof body.get('id') === 'string' ? (body.get('id') as string) : randomUUID();
    if (state.images.has(id)) throw new GlanceError(409, `Image with identifier ${id} already exists!`);
    const now = isoNow();
    const image = state.addImage({
      id, name: null, status: 'queued', visibility: 'shared', owner: null, size: null,
      diskFormat: null, containerFormat: null, createdAt: now, updatedAt: now, properties: [],
    });
    try {
      for (const [key, value] of body.entries()) {
        if (key === 'id') continue;
        if (READ_ONLY.has(key)) throw new GlanceError(403, `Attribute '${key}' is read-only.`);
        if (RESERVED.has(key)) throw new GlanceError(403, `Attribute '${key}' is reserved.`);
        setAttribute(image, key, value);
      }
      if (overGlancePropertyQuota(config, image.properties.size)) {
        throw new GlanceError(413, glancePropertyLimitMessage(config, image.properties.size));
      }
    } catch (e) {
      state.images.delete(id);
      throw e;
    }
    const importMethods: Array<[string, string]> = [['OpenStack-image-import-methods', 'glance-direct,web-download,copy-image']];
    const location: Array<[string, string]> = [['Location', `${call.hostUrl}/v2/images/${id}`]];
    return ok(201, image, [...location, ...importMethods]);
  }

  function patch(call: IncomingCall, image: ImageRecord): Reply {
    const type = (headerValue(call.headers, 'content-type') ?? '').split(';', 1)[0].trim();
    if (!PATCH_TYPES.includes(type)) {
      throw new GlanceError(415, `The request media type ${type} is not supported by this server.`, [
        ['Accept-Patch', [...PATCH_TYPES].sort().join(', ')],
      ]);
    }
    const ops = parseBody(call);
    if (!Array.isArray(ops)) throw new GlanceError(400, 'Request body must be a JSON array of operation objects.');
    const before = new Set(image.properties.keys());
    const draft: ImageRecord = { ...image, tags: [...image.tags], properties: image.properties.clone() };
    for (const op of ops) applyChange(draft, op);
    const addsNew = draft.properties.keys().some((k) => !before.has(k));
    if (addsNew && overGlancePropertyQuota(config, draft.properties.size)) {
      throw new GlanceError(413, glancePropertyLimitMessage(config, draft.properties.size));
    }
    Object.assign(image, { ...draft, properties: image.properties });
    image.properties.replaceAll(draft.properties.entries());
    image.updatedAt = isoNow();
    return ok(200, image);
  }
}

function mustExist(image: ImageRecord | undefined, id: string): ImageRecord {
  if (!image) throw new GlanceError(404, `No image found with ID ${id}`);
  return image;
}

function parseBody(call: IncomingCall): PyValue {
  try {
    return pyJsonLoads(call.body);
  } catch {
    throw new GlanceError(400, 'Malformed JSON in request body.');
  }
}

/** One JSON-patch operation (add/replace/remove on "/<attribute>"). */
function applyChange(image: ImageRecord, op: PyValue): void {
  if (!(op instanceof PyDict)) throw new GlanceError(400, 'Operations must be JSON objects.');
  const kind = op.get('op');
  if (kind !== 'add' && kind !== 'replace' && kind !== 'remove') {
    throw new GlanceError(400, 'Operation objects must contain exactly one member named "add", "remove", or "replace".');
  }
  const path = op.get('path');
  if (typeof path !== 'string' || !/^\/[^/]+$/.test(path)) {
    throw new GlanceError(400, `Invalid JSON pointer for this resource: '${String(path)}'`);
  }
  const name = path.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
  if (READ_ONLY.has(name)) throw new GlanceError(403, `Attribute '${name}' is read-only.`);
  if (RESERVED.has(name)) throw new GlanceError(403, `Attribute '${name}' is reserved.`);
  const isCore = name in CORE;
  if (kind === 'remove') {
    if (isCore) throw new GlanceError(403, `Property ${name} may not be removed.`);
    if (!image.properties.delete(name)) throw new GlanceError(409, `Property ${name} does not exist.`);
    return;
  }
  if (!op.has('value')) throw new GlanceError(400, `Operation "${kind}" requires a member named "value".`);
  if (kind === 'replace' && !isCore && !image.properties.has(name)) {
    throw new GlanceError(409, `Property ${name} does not exist.`);
  }
  setAttribute(image, name, op.get('value') as PyValue);
}

function setAttribute(image: ImageRecord, name: string, value: PyValue): void {
  if (name in CORE) {
    const field = CORE[name];
    (image as unknown as Record<string, unknown>)[field] = toPlain(value);
    return;
  }
  if (typeof value !== 'string') {
    throw new GlanceError(400, `Provided object does not match schema 'image': ${String(toPlain(value))} is not of type 'string'`);
  }
  image.properties.set(name, value);
}

function toPlain(value: PyValue): unknown {
  if (value instanceof PyDict) return Object.fromEntries(value.entries().map(([k, v]) => [k, toPlain(v)]));
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'bigint') return Number(value);
  if (value !== null && typeof value === 'object') return value.value;
  return value;
}

