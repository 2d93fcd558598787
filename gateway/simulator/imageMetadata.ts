/**
 * The image-metadata proxy (compute/image_metadata.py), served 2.1–2.38: the metadata is the
 * Glance image's properties; writes go back to the image store with Glance's semantics.
 */
import { MAX_IMAGE_META_PROXY_API_VERSION } from './config';
import { PyDict, stringDictObject } from './pyjson';
import { emptyReply, FaultError, jsonReply } from './reply';
import type { ApiRequest, Operation } from './resource';
import { imageMetadataCreate, imageMetadataUpdate, imageMetadataUpdateAll } from './schemas';
import type { ImageProperties, ImageRecord } from './state';
import { findImage, imageProperties } from './images';
import { checkImageMetadataQuota, overGlancePropertyQuota, unexpectedApiError } from './quota';

const GATE = { minVersion: '2.1', maxVersion: MAX_IMAGE_META_PROXY_API_VERSION.text };

function bodyDict(req: ApiRequest, key: string): PyDict {
  const body = req.body as PyDict;
  return body.get(key) as PyDict;
}

function stringEntries(dict: PyDict): Array<[string, string]> {
  return dict.entries().map(([k, v]) => [k, String(v)]);
}

/**
 * Glance's update with purge_props, as Nova's image API performs it: the quota Glance
 * enforces on saves that add properties becomes an unexpected error in Nova (500).
 */
function saveProperties(req: ApiRequest, image: ImageRecord, next: ImageProperties): void {
  const addsNew = next.keys().some((k) => !image.properties.has(k));
  if (addsNew && overGlancePropertyQuota(req.config, next.size)) {
    throw unexpectedApiError('nova.exception.ImageQuotaExceeded');
  }
  image.properties.replaceAll(next.entries());
  req.state.touch(image);
}

export const indexImageMetadata: Operation = {
  ...GATE,
  takesBody: false,
  handle(req) {
    const image = findImage(req, req.args.image_id);
    return jsonReply(200, { metadata: imageProperties(image) }, req.contentType);
  },
};

export const showImageMetadataItem: Operation = {
  ...GATE,
  takesBody: false,
  handle(req) {
    const image = findImage(req, req.args.image_id);
    const key = req.args.id;
    const value = image.properties.get(key);
    if (value === undefined) throw new FaultError(404);
    return jsonReply(200, { meta: { [key]: value } }, req.contentType);
  },
};

/** POST: merge, quota-check the merged set, return all properties. */
export const createImageMetadata: Operation = {
  ...GATE,
  schema: () => imageMetadataCreate,
  handle(req) {
    const image = findImage(req, req.args.image_id);
    const merged = image.properties.clone();
    for (const [k, v] of stringEntries(bodyDict(req, 'metadata'))) merged.set(k, v);
    checkImageMetadataQuota(req.config, merged.size);
    saveProperties(req, image, merged);
    return jsonReply(200, { metadata: imageProperties(image) }, req.contentType);
  },
};

/** PUT collection: quota-check the new set, replace everything, echo the request dict. */
export const updateAllImageMetadata: Operation = {
  ...GATE,
  schema: () => imageMetadataUpdateAll,
  handle(req) {
    const image = findImage(req, req.args.image_id);
    const metadata = bodyDict(req, 'metadata');
    checkImageMetadataQuota(req.config, metadata.size);
    const next = image.properties.clone();
    next.replaceAll(stringEntries(metadata));
    saveProperties(req, image, next);
    return jsonReply(200, { metadata: stringDictObject(metadata) }, req.contentType);
  },
};

/** PUT item: body key must equal the URL key (checked before the image lookup). */
export const updateImageMetadataItem: Operation = {
  ...GATE,
  schema: () => imageMetadataUpdate,
  handle(req) {
    const meta = bodyDict(req, 'meta');
    const key = req.args.id;
    if (!meta.has(key)) throw new FaultError(400, 'Request body and URI mismatch');
    const image = findImage(req, req.args.image_id);
    const next = image.properties.clone();
    next.set(key, String(meta.get(key)));
    checkImageMetadataQuota(req.config, next.size);
    saveProperties(req, image, next);
    return jsonReply(200, { meta: stringDictObject(meta) }, req.contentType);
  },
};

export const deleteImageMetadataItem: Operation = {
  ...GATE,
  takesBody: false,
  handle(req) {
    const image = findImage(req, req.args.image_id);
    if (!image.properties.has(req.args.id)) throw new FaultError(404, 'Invalid metadata key');
    image.properties.delete(req.args.id);
    req.state.touch(image);
    return emptyReply(204, req.contentType);
  },
};
