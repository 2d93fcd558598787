import path from 'node:path';
import { spawnGateway, type SpawnedGateway } from '../support/spawnGateway';
import { waitFor } from '../support/sockets';

/**
 * The proxy server's requests and responses must stay in V8's fast mode through a whole answer:
 * built the wrong way they fell into dictionary mode, and every property access on them became
 * a hash lookup (README "Performance"). Checked in the built gateway, fronting its demo upstream.
 */
const PROBE = path.resolve(__dirname, '../../dist/test/support/fastPropertiesProbe.js');
const HEADERS = { 'OpenStack-API-Version': 'compute 2.39', 'X-Auth-Token': 'demo:demo', Accept: 'application/json' };

describe("the proxy server's request and response objects", () => {
  let gateway: SpawnedGateway;
  beforeAll(async () => {
    gateway = await spawnGateway(['--watch-rules', 'false'], { NODE_OPTIONS: `--require ${PROBE}` });
  });
  afterAll(async () => {
    await gateway.stop();
  });

  test('are in fast mode when their answer finishes, forwarded and rewritten alike', async () => {
    const paths = ['/v2.1/servers/detail', '/v2.1/limits', '/v2.1/images/x/metadata', '/v2.1/flavors'];
    for (let round = 0; round < 25; round++) {
      for (const p of paths) await (await fetch(gateway.proxyUrl + p, { headers: HEADERS })).arrayBuffer();
    }
    const probes = () => gateway.logs.filter((l) => l.probe === 'fast-properties');
    await waitFor(() => probes().length >= 100);
    expect(probes()).toHaveLength(100);
    expect(probes().filter((p) => p.request !== true || p.response !== true)).toEqual([]);
  });
});
