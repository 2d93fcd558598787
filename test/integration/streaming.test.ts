import http from 'node:http';
import { rulesDir } from '../support/gateway';
import { startTestUpstream, type TestUpstream } from '../support/recordingUpstream';
import { procStatusKb, spawnGateway, type SpawnedGateway } from '../support/spawnGateway';

const MB = 1024 * 1024;
const SIZE = 50 * MB;

describe('large answers stream through with bounded memory (the gateway in its own process)', () => {
  let upstream: TestUpstream;
  let gw: SpawnedGateway;
  beforeAll(async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    upstream = await startTestUpstream((req, res) => {
      if (req.url === '/v2.1/small') return void res.end('{}');
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': SIZE });
      let sent = 0;
      const pump = () => {
        while (sent < SIZE) {
          sent += chunk.length;
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
});
