/**
 * The compute API's image proxy (compute/images.py, views/images.py): GET /images,
 * /images/detail, /images/{id} and DELETE /images/{id}, served 2.1–2.35.
 */
import { MAX_PROXY_API_SUPPORT_VERSION } from './config';
import { orderedObject } from './pyjson';
import { emptyReply, FaultError, jsonReply } from './reply';
import type { ApiRequest, Operation } from './resource';
import type { ImageRecord } from './state';
import { bookmarkLink, collectionLinks, hrefLink, page, paginationParams } from './views';

const GATE = { minVersion: '2.1', maxVersion: MAX_PROXY_API_SUPPORT_VERSION.text };

const STATUS: Readonly<Record<string, string>> = {
  active: 'ACTIVE',
  queued: 'SAVING',
  saving: 'SAVING',
  deleted: 'DELETED',
  pending_delete: 'DELETED',
  killed: 'ERROR',
};
const PROGRESS: Readonly<Record<string, number>> = { queued: 25, saving: 50, active: 100 };

/** The compute API's view of a Glance image: GET through Glance, 404 "Image not found.". */
export function findImage(req: ApiRequest, id: string): ImageRecord {
  const image = req.state.images.get(id);
  if (!image) throw new FaultError(404, 'Image not found.');
  return image;
}

export function imageProperties(image: ImageRecord): Record<string, string> {
  return orderedObject(image.properties.entries());
}

function imageLinks(req: ApiRequest, id: string): Array<Record<string, string>> {
  return [
    { rel: 'self', href: hrefLink(req, id, 'images') },
    { rel: 'bookmark', href: bookmarkLink(req, id, 'images') },
    { rel: 'alternate', type: 'application/vnd.openstack.image', href: [req.glanceUrl, 'images', id].join('/') },
  ];
}

function basicView(req: ApiRequest, image: ImageRecord): unknown {
  return { id: image.id, name: image.name, links: imageLinks(req, image.id) };
}

/** oslo strutils.bool_from_string */
function boolFromString(s: string): boolean {
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(s.trim().toLowerCase());
}

function detailView(req: ApiRequest, image: ImageRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: image.id,
    name: image.name,
    minRam: image.minRam,
    minDisk: image.minDisk,
    metadata: imageProperties(image),
    created: image.createdAt,
    updated: image.updatedAt,
    status: STATUS[image.status] ?? 'UNKNOWN',
    progress: PROGRESS[image.status] ?? 0,
    'OS-EXT-IMG-SIZE:size': image.size,
    links: imageLinks(req, image.id),
  };
  const instanceUuid = image.properties.get('instance_uuid');
  if (instanceUuid !== undefined) {
    view.server = {
      id: instanceUuid,
      links: [
        { rel: 'self', href: hrefLink(req, instanceUuid, 'servers') },
        { rel: 'bookmark', href: bookmarkLink(req, instanceUuid, 'servers') },
      ],
    };
  }
  const autoDiskConfig = image.properties.get('auto_disk_config');
  if (autoDiskConfig !== undefined) view['OS-DCF:diskConfig'] = boolFromString(autoDiskConfig) ? 'AUTO' : 'MANUAL';
  return view;
}

function listView(req: ApiRequest, detail: boolean): unknown {
  const { limit, marker } = paginationParams(req);
  const images = page(req.state.listImages(), limit, marker);
  const out: Record<string, unknown> = {
    images: images.map((i) => (detail ? detailView(req, i) : basicView(req, i))),
  };
  const links = collectionLinks(req, images.map((i) => i.id), detail ? 'images/detail' : 'images');
  if (links.length) out.images_links = links;
  return out;
}

export const listImages: Operation = {
  ...GATE,
  takesBody: false,
  handle: (req) => jsonReply(200, listView(req, false), req.contentType),
};

export const listImagesDetail: Operation = {
  ...GATE,
  takesBody: false,
  handle: (req) => jsonReply(200, listView(req, true), req.contentType),
};

export const showImage: Operation = {
  ...GATE,
  takesBody: false,
  handle: (req) => jsonReply(200, { image: detailView(req, findImage(req, req.args.id)) }, req.contentType),
};

export const deleteImage: Operation = {
  ...GATE,
  takesBody: false,
  handle(req) {
    const image = findImage(req, req.args.id);
    if (image.protected) throw new FaultError(403, 'You are not allowed to delete the image.');
    req.state.images.delete(image.id);
    return emptyReply(204, req.contentType);
  },
};
