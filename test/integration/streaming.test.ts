import http from 'node:http';
import { rulesDir } from '../support/gateway';
import { startTestUpstream, type TestUpstream } from '../support/recordingUpstream';
import { procStatusKb, spawnGateway, type SpawnedGateway } from '../support/spawnGateway';
import { waitFor } from '../support/sockets';

const MB = 1024 * 1024;
const SIZE = 50 * MB;
/** Larger than every socket buffer on the way (Linux lets a loopback receive buffer grow to 32 MB). */
const HUGE = 200 * MB;

describe('large answers stream through with bounded memory (the gateway in its own process)', () => {
  let upstream: TestUpstream;
  let gw: SpawnedGateway;
  /** Bytes the upstream has handed to its socket for the answer in progress. */
  let upstreamSent = 0;
  beforeAll(async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    upstream = await startTestUpstream((req, res) => {
      if (req.url === '/v2.1/small') return void res.end('{}');
      const size = req.url?.includes('huge') ? HUGE : SIZE;
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
      upstreamSent = 0;
      const pump = () => {
        while (upstreamSent < size) {
          upstreamSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    gw = await spawnGateway(['--upstream', upstream.url, '--upstream-max-version', '2.38', '--rules', rulesDir({})]);
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  async function streamOnce(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      http.get(`${gw.proxyUrl}/v2.1/servers/x/console-log`, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
        res.on('error', reject);
      }).on('error', reject);
    });
  }

  test('a 50 MB answer arrives whole; the gateway never holds it, and more answers do not raise its peak memory', async () => {
    await (await fetch(`${gw.proxyUrl}/v2.1/small`)).text();
    const pid = gw.child.pid!;
    const baselineKb = procStatusKb(pid, 'VmRSS');
    expect(await streamOnce()).toBe(SIZE);
    const afterOneMb = (procStatusKb(pid, 'VmHWM') - baselineKb) / 1024;
    // V8's young generation alone may take ~32 MB before it collects: the bound is "less than the answer".
    expect(afterOneMb).toBeLessThan(SIZE / MB);
    for (let i = 0; i < 3; i++) expect(await streamOnce()).toBe(SIZE);
    const afterFourMb = (procStatusKb(pid, 'VmHWM') - baselineKb) / 1024;
    // Holding any of the three answers would add 50 MB; V8 settling its young generation (16 MB
    // semi-spaces with the gateway's node flags) may add part of one more semi-space.
    expect(afterFourMb - afterOneMb).toBeLessThan(SIZE / MB / 2);
  });

  test('a client that stops reading stops the upstream: the gateway passes the backpressure on instead of buffering', async () => {
    const pid = gw.child.pid!;
    const baselineKb = procStatusKb(pid, 'VmRSS');
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${gw.proxyUrl}/v2.1/servers/huge/console-log`, resolve).on('error', reject);
    });
    try {
      res.pause();
      await waitFor(() => upstreamSent > 0);
      await settled(() => upstreamSent);
      // While nobody reads, the socket buffers of both loopback hops fill (up to ~70 MB here) and
      // the upstream stops; a gateway that read on regardless would take all 200 MB into memory.
      expect(upstreamSent / MB).toBeLessThan(HUGE / MB / 2);
      expect((procStatusKb(pid, 'VmRSS') - baselineKb) / 1024).toBeLessThan(HUGE / MB / 4);
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length)).resume();
      await new Promise<void>((resolve, reject) => res.on('end', resolve).on('error', reject));
      expect(n).toBe(HUGE);
    } finally {
      res.destroy();
    }
  }, 20_000);
});

/** Waits until a count stops changing for 300 ms. */
async function settled(count: () => number): Promise<void> {
  let last = -1;
  while (count() !== last) {
    last = count();
    await new Promise((r) => setTimeout(r, 300));
  }
}
