import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/**
 * A fake Nova compute API for the benchmark: fixed, realistic bodies in Nova's compact JSON
 * style (", " and ": " separators), version headers echoed as Nova does, plus a streaming
 * endpoint. Bodies are built once; a request costs the upstream as little as possible.
 */

export const UPSTREAM_MAX_VERSION = '2.38';

/** JSON with Python's json.dumps default separators, as Nova writes it. */
export function pyDumps(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(pyDumps).join(', ') + ']';
  if (value !== null && typeof value === 'object') {
    return '{' + Object.entries(value as Record<string, unknown>).map(([k, v]) => JSON.stringify(k) + ': ' + pyDumps(v)).join(', ') + '}';
  }
  return JSON.stringify(value);
}

/**
 * GET /limits: the absolute limits of shared/reference/samples/limits/limit-get-resp.json plus
 * rate-limit entries in Nova's (pre-Newton) rate shape, to make the ~1.3 KB document of issue 7.
 */
export function limitsDocument(): string {
  const rateLimit = (verb: string, value: number, unit: string) => ({
    verb, value, remaining: value, unit, 'next-available': '2012-11-27T17:22:18Z',
  });
  return pyDumps({
    limits: {
      absolute: {
        maxImageMeta: 128, maxPersonality: 5, maxPersonalitySize: 10240, maxSecurityGroupRules: -1,
        maxSecurityGroups: -1, maxServerMeta: 128, maxTotalCores: 20, maxTotalFloatingIps: -1,
        maxTotalInstances: 10, maxTotalKeypairs: 100, maxTotalRAMSize: 51200, maxServerGroups: 10,
        maxServerGroupMembers: 10, totalCoresUsed: 0, totalInstancesUsed: 0, totalRAMUsed: 0,
        totalSecurityGroupsUsed: 0, totalFloatingIpsUsed: 0, totalServerGroupsUsed: 0,
      },
      rate: [
        {
          uri: '*', regex: '.*',
          limit: [rateLimit('POST', 120, 'MINUTE'), rateLimit('PUT', 120, 'MINUTE'), rateLimit('DELETE', 120, 'MINUTE')],
        },
        { uri: '*/servers', regex: '^/servers', limit: [rateLimit('POST', 120, 'MINUTE')] },
        { uri: 'changes-since*', regex: 'changes-since', limit: [rateLimit('GET', 120, 'MINUTE')] },
        { uri: '*/os-fping', regex: '^/os-fping', limit: [rateLimit('GET', 12, 'MINUTE')] },
      ],
    },
  });
}

/** GET /servers/detail: about 20 KB of servers in Nova's detail shape. */
export function serverListDocument(targetBytes = 20_000): string {
  const servers: unknown[] = [];
  const base = 'http://openstack.example.com';
  for (let i = 0; ; i++) {
    const id = `${(0x9168b536 + i).toString(16)}-cd40-4630-b43f-b259807c6e87`;
    servers.push({
      'OS-DCF:diskConfig': 'AUTO',
      'OS-EXT-AZ:availability_zone': 'nova',
      'OS-EXT-SRV-ATTR:host': 'compute',
      'OS-EXT-SRV-ATTR:hypervisor_hostname': 'fake-mini',
      'OS-EXT-SRV-ATTR:instance_name': `instance-${String(i + 1).padStart(8, '0')}`,
      'OS-EXT-STS:power_state': 1,
      'OS-EXT-STS:task_state': null,
      'OS-EXT-STS:vm_state': 'active',
      'OS-SRV-USG:launched_at': '2013-09-23T13:53:12.774549',
      'OS-SRV-USG:terminated_at': null,
      accessIPv4: '1.2.3.4',
      accessIPv6: '80fe::',
      addresses: { private: [{ addr: `192.168.0.${(i % 250) + 3}`, 'OS-EXT-IPS-MAC:mac_addr': 'aa:bb:cc:dd:ee:ff', 'OS-EXT-IPS:type': 'fixed', version: 4 }] },
      config_drive: '',
      created: '2013-09-03T04:01:32Z',
      flavor: { id: '1', links: [{ href: `${base}/flavors/1`, rel: 'bookmark' }] },
      hostId: '92154fab69d5883ba2c8622b7e65f745dd33257221c07af363c51b29',
      id,
      image: { id: '70a599e0-31e7-49b7-b260-868f441e862b', links: [{ href: `${base}/images/70a599e0-31e7-49b7-b260-868f441e862b`, rel: 'bookmark' }] },
      key_name: null,
      links: [{ href: `${base}/v2.1/servers/${id}`, rel: 'self' }, { href: `${base}/servers/${id}`, rel: 'bookmark' }],
      metadata: { 'My Server Name': 'Apache1' },
      name: `new-server-test-${i}`,
      'os-extended-volumes:volumes_attached': [],
      progress: 0,
      security_groups: [{ name: 'default' }],
      status: 'ACTIVE',
      tenant_id: '6f70656e737461636b20342065766572',
      updated: '2013-09-03T04:01:33Z',
      user_id: 'fake',
    });
    const text = pyDumps({ servers });
    if (text.length >= targetBytes) return text;
  }
}

/** GET /v2.1/: the version document of a 2.38 Nova. */
export function versionDocument(): string {
  return pyDumps({
    version: {
      id: 'v2.1',
      links: [{ href: 'http://openstack.example.com/v2.1/', rel: 'self' }, { href: 'http://docs.openstack.org/', rel: 'describedby', type: 'text/html' }],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
      min_version: '2.1',
      status: 'CURRENT',
      updated: '2013-07-23T11:33:21Z',
      version: UPSTREAM_MAX_VERSION,
    },
  });
}

const LIMITS = Buffer.from(limitsDocument());
const SERVERS = Buffer.from(serverListDocument());
const VERSION = Buffer.from(versionDocument());
const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** The version Nova would answer at: legacy header, else the standard one, else 2.1. */
function requestedVersion(req: IncomingMessage): string {
  const legacy = req.headers['x-openstack-nova-api-version'];
  if (typeof legacy === 'string') return legacy;
  const standard = req.headers['openstack-api-version'];
  if (typeof standard === 'string') {
    const m = /compute\s+(\S+)/i.exec(standard);
    if (m) return m[1] === 'latest' ? UPSTREAM_MAX_VERSION : m[1];
  }
  return '2.1';
}

function answer(req: IncomingMessage, res: ServerResponse, status: number, body: Buffer, versioned: boolean): void {
  const headers: string[] = ['Content-Type', 'application/json', 'Content-Length', String(body.length)];
  if (versioned) {
    const v = requestedVersion(req);
    headers.push('OpenStack-API-Version', `compute ${v}`, 'X-OpenStack-Nova-API-Version', v);
    headers.push('Vary', 'OpenStack-API-Version', 'Vary', 'X-OpenStack-Nova-API-Version');
  }
  const id = `req-${randomUUID()}`;
  headers.push('x-openstack-request-id', id, 'x-compute-request-id', id);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Streams `bytes` of filler with backpressure. */
function stream(res: ServerResponse, bytes: number): void {
  res.writeHead(200, ['Content-Type', 'application/octet-stream', 'Content-Length', String(bytes)]);
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      const ok = res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n));
      if (left === 0) return void res.end();
      if (!ok) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

export function upstreamHandler(req: IncomingMessage, res: ServerResponse): void {
  // Nothing the bench sends has a body, but drain one anyway so keep-alive stays sound.
  req.resume();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  switch (path) {
    case '/v2.1/limits':
    case '/v2.1/limits/':
      return answer(req, res, 200, LIMITS, true);
    case '/v2.1/servers/detail':
      return answer(req, res, 200, SERVERS, true);
    case '/v2.1':
    case '/v2.1/':
      return answer(req, res, 200, VERSION, true);
    case '/v2.1/bench/stream': {
      const mb = Number(new URLSearchParams(url.slice(q + 1)).get('mb') ?? '50');
      return stream(res, Math.max(0, Math.min(mb, 1024)) * 1024 * 1024);
    }
    default:
      return answer(req, res, 404, Buffer.from('{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}'), true);
  }
}

export function createUpstreamServer(): http.Server {
  return http.createServer({ keepAliveTimeout: 65_000 }, upstreamHandler);
}
