/**
 * Servers: GET /servers (list), and the server actions the simulator models —
 * createImage (servers.py), createBackup (create_backup.py) and the admin os-resetState
 * (admin_actions.py) — with the instance state checks of compute/api.py.
 */
import { randomUUID } from 'node:crypto';
import { PyDict, type PyValue } from './pyjson';
import { emptyReply, FaultError, jsonReply, webobEmptyReply, type Reply } from './reply';
import { urlJoin } from './request';
import { isAtLeast, type ApiRequest, type Operation } from './resource';
import { createBackup, createBackupV20, createImage, resetState } from './schemas';
import type { ImageRecord, ServerRecord } from './state';
import { isoNow } from './state';
import { checkImageMetadataQuota, overGlancePropertyQuota, unexpectedApiError } from './quota';
import { collectionLinks, page, paginationParams, selfAndBookmark } from './views';

// ---------------------------------------------------------------------------------------
// GET /servers

const STATUSES = new Set([
  'ACTIVE', 'BUILD', 'DELETED', 'ERROR', 'HARD_REBOOT', 'MIGRATING', 'PASSWORD', 'PAUSED', 'REBOOT',
  'REBUILD', 'RESCUE', 'RESIZE', 'REVERT_RESIZE', 'SHELVED', 'SHELVED_OFFLOADED', 'SHUTOFF',
  'SOFT_DELETED', 'SUSPENDED', 'UNKNOWN', 'VERIFY_RESIZE',
]);

const VM_STATE_STATUS: Readonly<Record<string, string>> = {
  active: 'ACTIVE',
  stopped: 'SHUTOFF',
  paused: 'PAUSED',
  suspended: 'SUSPENDED',
  error: 'ERROR',
  building: 'BUILD',
};

export function serverStatus(server: ServerRecord): string {
  return VM_STATE_STATUS[server.vmState] ?? 'UNKNOWN';
}

export const listServers: Operation = {
  takesBody: false,
  handle(req) {
    let servers = req.state.listServers();
    const statuses = req.params.getAll('status');
    if (statuses.length) {
      const wanted = statuses.map((s) => s.toUpperCase()).filter((s) => STATUSES.has(s));
      if (!wanted.length) {
        if (isAtLeast(req, '2.38')) throw new FaultError(400, 'Invalid status value');
        return jsonReply(200, { servers: [] }, req.contentType);
      }
      servers = servers.filter((s) => wanted.includes(serverStatus(s)));
    }
    const { limit, marker } = paginationParams(req);
    servers = page(servers, limit, marker);
    const out: Record<string, unknown> = {
      servers: servers.map((s) => ({ id: s.id, name: s.name, links: selfAndBookmark(req, s.id, 'servers') })),
    };
    const links = collectionLinks(req, servers.map((s) => s.id), 'servers');
    if (links.length) out.servers_links = links;
    return jsonReply(200, out, req.contentType);
  },
};

// ---------------------------------------------------------------------------------------
// Server actions

function findServer(req: ApiRequest): ServerRecord {
  const id = req.args.id;
  const server = req.state.servers.get(id);
  if (!server) throw new FaultError(404, `Instance ${id} could not be found.`);
  return server;
}

function actionBody(req: ApiRequest, action: string): PyDict {
  return (req.body as PyDict).get(action) as PyDict;
}

function metadataOf(entity: PyDict): Array<[string, string]> {
  const metadata = entity.get('metadata');
  return metadata instanceof PyDict ? metadata.entries().map(([k, v]) => [k, String(v)]) : [];
}

/** Python str.strip() (common.normalize_name). */
function pyStripAll(s: string): string {
  return s.replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/gu, '');
}

const SNAPSHOT_VM_STATES = ['active', 'stopped', 'paused', 'suspended'];

/** compute.api.check_instance_state(vm_state=[...], task_state=[None]) → 409. */
function checkInstanceState(server: ServerRecord, action: string, urlId: string): void {
  const invalid = (attr: string, state: string): FaultError =>
    new FaultError(409, `Cannot '${action}' instance ${urlId} while it is in ${attr} ${state}`);
  if (!SNAPSHOT_VM_STATES.includes(server.vmState)) throw invalid('vm_state', server.vmState);
  if (server.taskState !== null) throw invalid('task_state', server.taskState);
}

const NON_INHERITABLE = new Set(['cache_in_nova', 'bittorrent']);

/**
 * compute.api._create_image: the server image's properties (from system metadata), the
 * snapshot bookkeeping properties, then the request metadata; Glance's property quota
 * applies to the new image.
 */
function createSnapshotImage(
  req: ApiRequest,
  server: ServerRecord,
  name: string,
  imageType: 'snapshot' | 'backup',
  extra: Array<[string, string]>,
): ImageRecord {
  const base = req.state.images.get(server.imageId);
  const properties: Array<[string, string]> = [];
  for (const [k, v] of base?.properties.entries() ?? []) {
    if (!NON_INHERITABLE.has(k) && !k.startsWith('img_signature')) properties.push([k, v]);
  }
  properties.push(['base_image_ref', server.imageId]);
  const owner = req.auth?.projectId;
  const ownerExtra: Array<[string, string]> = owner !== server.projectId ? [['instance_owner', server.projectId]] : [];
  const merged = new Map<string, string>(properties);
  for (const [k, v] of [
    ['instance_uuid', server.id],
    ['user_id', req.auth?.userId ?? ''],
    ['image_type', imageType],
    ...extra,
    ...ownerExtra,
  ] as Array<[string, string]>) {
    merged.set(k, v);
  }
  if (overGlancePropertyQuota(req.config, merged.size)) throw unexpectedApiError('glanceclient.exc.HTTPOverLimit');
  const now = isoNow();
  return req.state.addImage({
    id: randomUUID(),
    name,
    status: 'queued',
    visibility: owner !== server.projectId ? 'shared' : 'private',
    owner: null,
    minRam: base?.minRam ?? 0,
    minDisk: base?.minDisk ?? 0,
    size: null,
    diskFormat: imageType === 'backup' ? (base?.diskFormat ?? null) : null,
    containerFormat: imageType === 'backup' ? (base?.containerFormat ?? null) : null,
    createdAt: now,
    updatedAt: now,
    properties: [...merged.entries()],
  });
}

function acceptedWithImage(req: ApiRequest, image: ImageRecord, location: string | undefined): Reply {
  if (isAtLeast(req, '2.45')) return jsonReply(202, { image_id: image.id }, req.contentType);
  return webobEmptyReply(202, location === undefined ? [] : [['Location', location]]);
}

export const createImageAction: Operation = {
  schema: () => createImage,
  handle(req) {
    const server = findServer(req);
    const entity = actionBody(req, 'createImage');
    const name = pyStripAll(entity.get('name') as string);
    const metadata = metadataOf(entity);
    if (!isAtLeast(req, '2.39')) checkImageMetadataQuota(req.config, metadata.length);
    checkInstanceState(server, 'createImage', req.args.id);
    const image = createSnapshotImage(req, server, name, 'snapshot', metadata);
    server.taskState = 'image_snapshot_pending';
    return acceptedWithImage(req, image, `${req.glanceUrl}/images/${image.id}`);
  },
};

function rotationOf(value: PyValue | undefined): number {
  return typeof value === 'string' ? parseInt(value.trim(), 10) : Number(value);
}

export const createBackupAction: Operation = {
  schema: (req) => (req.legacyV2 ? createBackupV20 : createBackup),
  handle(req) {
    const server = findServer(req);
    const entity = actionBody(req, 'createBackup');
    const name = pyStripAll(entity.get('name') as string);
    const backupType = entity.get('backup_type') as string;
    const rotation = rotationOf(entity.get('rotation'));
    const metadata = metadataOf(entity);
    if (!isAtLeast(req, '2.39')) checkImageMetadataQuota(req.config, metadata.length);
    checkInstanceState(server, 'createBackup', req.args.id);
    const image = createSnapshotImage(req, server, name, 'backup', [...metadata, ['backup_type', backupType]]);
    server.taskState = 'image_backup';
    const location = rotation > 0 ? urlJoin(req.applicationUrl, 'images', image.id) : undefined;
    return acceptedWithImage(req, image, location);
  },
};

export const resetStateAction: Operation = {
  schema: () => resetState,
  handle(req) {
    const server = findServer(req);
    if (!req.auth?.isAdmin) {
      throw new FaultError(403, "Policy doesn't allow os_compute_api:os-admin-actions:reset_state to be performed.");
    }
    const state = (actionBody(req, 'os-resetState').get('state') as string) === 'error' ? 'error' : 'active';
    server.vmState = state;
    server.taskState = null;
    return emptyReply(202, req.contentType);
  },
};

export const SERVER_ACTIONS: Readonly<Record<string, Operation>> = {
  createImage: createImageAction,
  createBackup: createBackupAction,
  'os-resetState': resetStateAction,
};
