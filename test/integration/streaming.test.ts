import http from 'node:http';
import { startTestGateway, rulesDir } from '../support/gateway';
import { startTestUpstream, type TestUpstream } from '../support/recordingUpstream';
import type { RunningGateway } from '../../gateway/server';

const MB = 1024 * 1024;
const SIZE = 50 * MB;

describe('large answers stream through with bounded memory', () => {
  let upstream: TestUpstream;
  let gw: RunningGateway;
  beforeAll(async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    upstream = await startTestUpstream((_req, res) => {
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
    gw = await startTestGateway({ upstream: upstream.url, rulesDir: rulesDir({}) });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  test('a 50 MB answer arrives whole while resident memory grows far less than its size', async () => {
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const received = await new Promise<number>((resolve, reject) => {
      http.get(`${gw.proxyUrl}/v2.1/servers/x/console-log`, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
        res.on('error', reject);
      }).on('error', reject);
    });
    clearInterval(sampler);
    expect(received).toBe(SIZE);
    expect((peak - baseline) / MB).toBeLessThan(30);
  });
});
