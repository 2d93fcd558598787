/**
 * The simulator's back-end state: Glance's image records (shared by the compute API's image
 * proxy and the image service) and the compute servers. Tests seed, inspect and reset it.
 */
import { randomUUID } from 'node:crypto';

/**
 * Image properties in Glance's storage order: an updated property keeps its place, a new
 * one is appended, and a removed one keeps its (soft-deleted) row, so re-adding it puts it
 * back where it was, as Glance's image_properties table does.
 */
export class ImageProperties {
  private readonly rows: Array<{ name: string; value: string; deleted: boolean }> = [];

  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [k, v] of entries) this.set(k, v);
  }

  get size(): number {
    return this.rows.filter((r) => !r.deleted).length;
  }

  has(name: string): boolean {
    return this.rows.some((r) => r.name === name && !r.deleted);
  }

  get(name: string): string | undefined {
    const row = this.rows.find((r) => r.name === name && !r.deleted);
    return row?.value;
  }

  set(name: string, value: string): void {
    const row = this.rows.find((r) => r.name === name);
    if (row) {
      row.value = value;
      row.deleted = false;
    } else {
      this.rows.push({ name, value, deleted: false });
    }
  }

  delete(name: string): boolean {
    const row = this.rows.find((r) => r.name === name && !r.deleted);
    if (row) row.deleted = true;
    return row !== undefined;
  }

  /** Glance's update with purge_props: set every given entry, delete every other one. */
  replaceAll(entries: Iterable<readonly [string, string]>): void {
    const keep = new Set<string>();
    for (const [k, v] of entries) {
      this.set(k, v);
      keep.add(k);
    }
    for (const row of this.rows) if (!keep.has(row.name)) row.deleted = true;
  }

  entries(): Array<[string, string]> {
    return this.rows.filter((r) => !r.deleted).map((r) => [r.name, r.value]);
  }

  keys(): string[] {
    return this.entries().map(([k]) => k);
  }

  clone(): ImageProperties {
    return new ImageProperties(this.entries());
  }
}

export interface ImageRecord {
  id: string;
  name: string | null;
  status: string;
  visibility: string;
  owner: string | null;
  protected: boolean;
  minRam: number;
  minDisk: number;
  size: number | null;
  virtualSize: number | null;
  diskFormat: string | null;
  containerFormat: string | null;
  checksum: string | null;
  osHashAlgo: string | null;
  osHashValue: string | null;
  osHidden: boolean;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  properties: ImageProperties;
}

export interface ServerRecord {
  id: string;
  name: string;
  projectId: string;
  userId: string;
  imageId: string;
  vmState: string;
  taskState: string | null;
  createdAt: string;
}

export interface ImageSeed extends Partial<Omit<ImageRecord, 'properties'>> {
  id: string;
  properties?: Record<string, string> | Array<[string, string]>;
}

export interface ServerSeed extends Partial<ServerRecord> {
  id: string;
  imageId: string;
}

const SEED_TIME = '2011-01-01T01:02:03Z';

/** Nova's fake image service images (the images-details sample, Newton era). */
const DEFAULT_IMAGES: readonly ImageSeed[] = [
  { id: '155d900f-4e14-4e4c-a73d-069cbf4541e6', name: 'fakeimage123456', size: 25165824,
    properties: [['architecture', 'x86_64'], ['kernel_id', 'nokernel'], ['ramdisk_id', 'nokernel']] },
  { id: 'a2459075-d96c-40d5-893e-577ff92e721c', name: 'fakeimage123456', size: 58145823,
    properties: [['kernel_id', 'nokernel'], ['ramdisk_id', 'nokernel']] },
  { id: '76fa36fc-c930-4bf3-8c8a-ea2a2420deb6', name: 'fakeimage123456', size: 83594576,
    properties: [['architecture', 'x86_64'], ['kernel_id', 'nokernel'], ['ramdisk_id', 'nokernel']] },
  { id: 'cedef40a-ed67-4d10-800e-17455edce175', name: 'fakeimage123456', size: 84035174,
    properties: [['kernel_id', 'nokernel'], ['ramdisk_id', 'nokernel']] },
  { id: 'c905cedb-7281-47e4-8a62-f26bc5fc4c77', name: 'fakeimage123456', size: 26360814,
    properties: [['kernel_id', '155d900f-4e14-4e4c-a73d-069cbf4541e6']] },
  { id: 'a440c04b-79fa-479c-bed1-0b816eaec379', name: 'fakeimage6', size: 49163826,
    properties: [['architecture', 'x86_64'], ['auto_disk_config', 'False'], ['kernel_id', 'nokernel'], ['ramdisk_id', 'nokernel']] },
  { id: '70a599e0-31e7-49b7-b260-868f441e862b', name: 'fakeimage7', size: 74185822,
    properties: [['kernel_id', 'nokernel'], ['ramdisk_id', 'nokernel']] },
];

export const DEFAULT_IMAGE_ID = '70a599e0-31e7-49b7-b260-868f441e862b';
export const DEFAULT_SERVER_ID = '9168b536-cd40-4630-b43f-b259807c6e87';

const DEFAULT_SERVERS: readonly ServerSeed[] = [
  { id: DEFAULT_SERVER_ID, name: 'new-server-test', imageId: DEFAULT_IMAGE_ID, createdAt: '2013-09-03T04:01:32Z' },
  { id: 'f5dc173b-6804-445a-a6d8-c705dad5b5eb', name: 'second-server', imageId: '155d900f-4e14-4e4c-a73d-069cbf4541e6',
    createdAt: '2013-09-03T04:01:31Z' },
];

export function imageFromSeed(seed: ImageSeed): ImageRecord {
  const props = Array.isArray(seed.properties) ? seed.properties : Object.entries(seed.properties ?? {});
  const active = (seed.status ?? 'active') === 'active';
  return {
    id: seed.id,
    name: seed.name ?? null,
    status: seed.status ?? 'active',
    visibility: seed.visibility ?? 'public',
    owner: seed.owner ?? null,
    protected: seed.protected ?? false,
    minRam: seed.minRam ?? 0,
    minDisk: seed.minDisk ?? 0,
    size: seed.size ?? (active ? 25165824 : null),
    virtualSize: seed.virtualSize ?? null,
    diskFormat: seed.diskFormat !== undefined ? seed.diskFormat : active ? 'raw' : null,
    containerFormat: seed.containerFormat !== undefined ? seed.containerFormat : active ? 'bare' : null,
    checksum: seed.checksum ?? null,
    osHashAlgo: seed.osHashAlgo ?? null,
    osHashValue: seed.osHashValue ?? null,
    osHidden: seed.osHidden ?? false,
    tags: seed.tags ?? [],
    createdAt: seed.createdAt ?? SEED_TIME,
    updatedAt: seed.updatedAt ?? seed.createdAt ?? SEED_TIME,
    properties: new ImageProperties(props),
  };
}

export function serverFromSeed(seed: ServerSeed): ServerRecord {
  return {
    id: seed.id,
    name: seed.name ?? 'server',
    projectId: seed.projectId ?? 'admin',
    userId: seed.userId ?? 'admin',
    imageId: seed.imageId,
    vmState: seed.vmState ?? 'active',
    taskState: seed.taskState ?? null,
    createdAt: seed.createdAt ?? SEED_TIME,
  };
}

/** ISO 8601 without fractions, as Nova's utils.isotime and Glance's timeutils.isotime write it. */
export function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class SimulatorState {
  readonly images = new Map<string, ImageRecord>();
  readonly servers = new Map<string, ServerRecord>();

  constructor() {
    this.reset();
  }

  /** Back to the default seed: the sample images and two servers. */
  reset(): void {
    this.seed({ images: DEFAULT_IMAGES, servers: DEFAULT_SERVERS, replace: true });
  }

  /** Adds (or with `replace`, first clears and then adds) images and servers. */
  seed(data: { images?: readonly ImageSeed[]; servers?: readonly ServerSeed[]; replace?: boolean }): void {
    if (data.replace) {
      this.images.clear();
      this.servers.clear();
    }
    for (const image of data.images ?? []) this.images.set(image.id, imageFromSeed(image));
    for (const server of data.servers ?? []) this.servers.set(server.id, serverFromSeed(server));
  }

  addImage(seed: Omit<ImageSeed, 'id'> & { id?: string }): ImageRecord {
    const now = isoNow();
    const image = imageFromSeed({ createdAt: now, ...seed, id: seed.id ?? randomUUID() });
    this.images.set(image.id, image);
    return image;
  }

  touch(image: ImageRecord): void {
    image.updatedAt = isoNow();
  }

  /** Glance's default listing order: created_at desc, then id desc. */
  listImages(): ImageRecord[] {
    return [...this.images.values()].sort((a, b) =>
      a.createdAt === b.createdAt ? cmp(b.id, a.id) : cmp(b.createdAt, a.createdAt),
    );
  }

  /** Nova's default server order: created_at desc, then id desc. */
  listServers(): ServerRecord[] {
    return [...this.servers.values()].sort((a, b) =>
      a.createdAt === b.createdAt ? cmp(b.id, a.id) : cmp(b.createdAt, a.createdAt),
    );
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
