/**
 * GET /limits (compute/limits.py, views/limits.py). Absolute limits follow the order of
 * Nova's quota resources, then the used counts; which keys appear depends on the version:
 * 2.1–2.35 all 19, 2.36–2.38 without the network ones (14), 2.39–2.56 also without
 * maxImageMeta (13), ≥2.57 also without the personality ones (11).
 */
import type { QuotaLimits } from './config';
import { jsonReply } from './reply';
import type { ApiRequest, Operation } from './resource';
import { orderedObject } from './pyjson';
import { mustParseMicroversion } from '../microversion/version';

type QuotaName = keyof QuotaLimits;

/** views/limits.py limit_names, walked in nova/quota.py resource order. */
const ABSOLUTE: ReadonlyArray<[QuotaName, readonly string[]]> = [
  ['instances', ['maxTotalInstances']],
  ['cores', ['maxTotalCores']],
  ['ram', ['maxTotalRAMSize']],
  ['metadata_items', ['maxServerMeta', 'maxImageMeta']],
  ['injected_files', ['maxPersonality']],
  ['injected_file_content_bytes', ['maxPersonalitySize']],
  ['key_pairs', ['maxTotalKeypairs']],
  ['server_groups', ['maxServerGroups']],
  ['server_group_members', ['maxServerGroupMembers']],
  ['floating_ips', ['maxTotalFloatingIps']],
  ['security_groups', ['maxSecurityGroups']],
  ['security_group_rules', ['maxSecurityGroupRules']],
];

const USED: ReadonlyArray<[string, QuotaName]> = [
  ['totalRAMUsed', 'ram'],
  ['totalCoresUsed', 'cores'],
  ['totalInstancesUsed', 'instances'],
  ['totalFloatingIpsUsed', 'floating_ips'],
  ['totalSecurityGroupsUsed', 'security_groups'],
  ['totalServerGroupsUsed', 'server_groups'],
];

/** Key order of Nova's api_samples (sorted-looking), for callers that want the sample layout. */
const SAMPLE_ORDER = [
  'maxImageMeta', 'maxPersonality', 'maxPersonalitySize', 'maxSecurityGroupRules', 'maxSecurityGroups',
  'maxServerMeta', 'maxTotalCores', 'maxTotalFloatingIps', 'maxTotalInstances', 'maxTotalKeypairs',
  'maxTotalRAMSize', 'maxServerGroups', 'maxServerGroupMembers', 'totalCoresUsed', 'totalInstancesUsed',
  'totalRAMUsed', 'totalSecurityGroupsUsed', 'totalFloatingIpsUsed', 'totalServerGroupsUsed',
];

const FILTERED_2_36: readonly QuotaName[] = ['floating_ips', 'security_groups', 'security_group_rules'];
const FILTERED_2_57: readonly QuotaName[] = [...FILTERED_2_36, 'injected_files', 'injected_file_content_bytes'];

export type LimitsKeyOrder = 'nova' | 'samples';

export function absoluteLimits(
  quotas: QuotaLimits,
  versionKey: number,
  used: Partial<Record<QuotaName, number>> = {},
  order: LimitsKeyOrder = 'nova',
): Array<[string, number]> {
  const filtered = versionKey >= v('2.57') ? FILTERED_2_57 : versionKey >= v('2.36') ? FILTERED_2_36 : [];
  const maxImageMeta = versionKey < v('2.39');
  const out: Array<[string, number]> = [];
  for (const [quota, names] of ABSOLUTE) {
    if (filtered.includes(quota)) continue;
    for (const name of names) {
      if (name === 'maxImageMeta' && !maxImageMeta) continue;
      out.push([name, quotas[quota]]);
    }
  }
  for (const [name, quota] of USED) {
    if (!filtered.includes(quota)) out.push([name, used[quota] ?? 0]);
  }
  if (order === 'samples') out.sort((a, b) => SAMPLE_ORDER.indexOf(a[0]) - SAMPLE_ORDER.indexOf(b[0]));
  return out;
}

function v(text: string): number {
  return mustParseMicroversion(text).key;
}

export function limitsOperation(order: LimitsKeyOrder): Operation {
  return {
    takesBody: false,
    handle(req: ApiRequest) {
      const absolute = orderedObject(absoluteLimits(req.config.quotas, req.version.key, {}, order));
      const limits =
        order === 'samples' ? { absolute, rate: [] } : { rate: [], absolute };
      return jsonReply(200, { limits }, req.contentType);
    },
  };
}
