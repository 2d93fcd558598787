import { mustParseMicroversion, type Microversion } from '../microversion/version';
import type { VersionRange } from '../microversion/negotiate';

export interface SimulatorOptions {
  /** Listen address for both services; default 127.0.0.1. */
  host?: string;
  /** Compute API port; default 0 (ephemeral). */
  port?: number;
  /** Image service (Glance v2) port; default 0 (ephemeral). */
  imagePort?: number;
  /** Highest microversion served; default "2.38" (Newton). */
  maxVersion?: string;
  /** Quota `metadata_items` (maxServerMeta, maxImageMeta, image metadata checks); default 128, -1 unlimited. */
  metadataItems?: number;
  /** Glance's `image_property_quota`; default 128, -1 unlimited. */
  imagePropertyQuota?: number;
  /** Log one line per request to stderr. */
  log?: boolean;
  /**
   * Keep every request in `requests` / `imageRequests` (default true, for tests to inspect). The
   * long-running simulators (the gateway's demo upstream, `npm run simulator`) turn it off: the
   * lists grow with every request.
   */
  recordRequests?: boolean;
  /** Other quota limits shown by GET /limits (Nova's defaults otherwise). */
  quotas?: Partial<QuotaLimits>;
}

/** Nova's quota limits in the order Nova registers its quota resources (nova/quota.py). */
export interface QuotaLimits {
  instances: number;
  cores: number;
  ram: number;
  metadata_items: number;
  injected_files: number;
  injected_file_content_bytes: number;
  key_pairs: number;
  server_groups: number;
  server_group_members: number;
  floating_ips: number;
  security_groups: number;
  security_group_rules: number;
}

export const DEFAULT_QUOTAS: QuotaLimits = {
  instances: 10,
  cores: 20,
  ram: 51200,
  metadata_items: 128,
  injected_files: 5,
  injected_file_content_bytes: 10240,
  key_pairs: 100,
  server_groups: 10,
  server_group_members: 10,
  floating_ips: -1,
  security_groups: -1,
  security_group_rules: -1,
};

export interface SimulatorConfig {
  readonly host: string;
  readonly port: number;
  readonly imagePort: number;
  readonly range: VersionRange;
  readonly quotas: QuotaLimits;
  readonly imagePropertyQuota: number;
  readonly log: boolean;
  readonly recordRequests: boolean;
  /** oslo sizelimit's osapi_max_request_body_size. */
  readonly maxRequestBodySize: number;
}

export const MIN_VERSION = '2.1';
export const DEFAULT_MAX_VERSION = '2.38';

export function resolveConfig(options: SimulatorOptions = {}): SimulatorConfig {
  const max = mustParseMicroversion(options.maxVersion ?? DEFAULT_MAX_VERSION);
  const min = mustParseMicroversion(MIN_VERSION);
  if (max.key < min.key) throw new Error(`maxVersion ${max.text} is below ${MIN_VERSION}`);
  const quotas = { ...DEFAULT_QUOTAS, ...options.quotas };
  if (options.metadataItems !== undefined) quotas.metadata_items = options.metadataItems;
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    imagePort: options.imagePort ?? 0,
    range: { min, max },
    quotas,
    imagePropertyQuota: options.imagePropertyQuota ?? 128,
    log: options.log ?? false,
    recordRequests: options.recordRequests ?? true,
    maxRequestBodySize: 114688,
  };
}

/** Version-gate bounds of Nova's proxy APIs (api_version_request.py). */
export const MAX_PROXY_API_SUPPORT_VERSION: Microversion = mustParseMicroversion('2.35');
export const MAX_IMAGE_META_PROXY_API_VERSION: Microversion = mustParseMicroversion('2.38');
