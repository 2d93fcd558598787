import path from 'node:path';
import { spawnGateway, type SpawnedGateway } from '../support/spawnGateway';
import { pooled, waitFor } from '../support/sockets';
import { startSimulator, type Simulator } from '../../gateway/simulator';

/**
 * After a full collection, the objects of requests served must die young. Keeping the answers in
 * flight in a Set broke that: once a full collection had promoted one of the Set's replaced hash
 * tables, every later table and every answer in it was promoted, ~7 KB per request, and the
 * process ran from one full collection to the next (README "Performance"). Memory, not time:
 * the old generation's growth over 5,000 requests after a forced full collection. The upstream
 * (the simulator) runs in this process, so that the gateway's heap holds the gateway alone.
 */
const PROBE = path.resolve(__dirname, '../../dist/test/support/heapProbe.js');
const HEADERS = { 'OpenStack-API-Version': 'compute 2.39', 'X-Auth-Token': 'admin:admin', Accept: 'application/json' };
const MB = 1024 * 1024;

describe('promotion after a full collection', () => {
  let sim: Simulator;
  let gateway: SpawnedGateway;
  beforeAll(async () => {
    sim = await startSimulator({ recordRequests: false });
    gateway = await spawnGateway(['--upstream', sim.computeUrl, '--image-service', sim.imageUrl, '--upstream-max-version', '2.38', '--watch-rules', 'false'], {
      NODE_OPTIONS: `--require ${PROBE}`,
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await sim.close();
  });

  const load = (count: number) =>
    pooled(Array.from({ length: count }, (_, i) => i), 20, async () => {
      await (await fetch(`${gateway.proxyUrl}/v2.1/limits`, { headers: HEADERS })).arrayBuffer();
    });
  const heapReport = async (signal: NodeJS.Signals, mark: string) => {
    const seen = gateway.logs.length;
    gateway.child.kill(signal);
    await waitFor(() => gateway.logs.slice(seen).some((l) => l.mark === mark));
    return gateway.logs.slice(seen).find((l) => l.mark === mark) as { oldSpaceUsed: number; fullCollections: number };
  };

  test('stays small: requests served after it leave the old generation almost as it was', async () => {
    await load(3000);
    const before = await heapReport('SIGUSR2', 'after-full-collection');
    await load(5000);
    const after = await heapReport('SIGWINCH', 'after-load');
    expect({ fullCollections: after.fullCollections, grewMoreThan8MB: after.oldSpaceUsed - before.oldSpaceUsed > 8 * MB }).toEqual({
      fullCollections: 0,
      grewMoreThan8MB: false,
    });
  }, 60_000);
});
