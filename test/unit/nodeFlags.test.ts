import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GATEWAY_NODE_FLAGS, missingNodeFlags } from '../../gateway/nodeFlags';

const ROOT = path.resolve(__dirname, '../..');

describe('the node flags the gateway runs with', () => {
  test('npm start passes every one of them to node before the CLI', () => {
    const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
    expect(start).toBe(`node ${GATEWAY_NODE_FLAGS.join(' ')} dist/gateway/cli.js serve`);
  });

  test("the image's entry point passes every one of them to node before the CLI", () => {
    const entry = /^ENTRYPOINT (.+)$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    expect(JSON.parse(entry ?? 'null')).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'dist/gateway/cli.js']);
  });

  test('missingNodeFlags names the flags absent from execArgv, in order', () => {
    expect(missingNodeFlags([])).toEqual([...GATEWAY_NODE_FLAGS]);
    expect(missingNodeFlags(['--inspect', ...GATEWAY_NODE_FLAGS])).toEqual([]);
    expect(missingNodeFlags(['--min-semi-space-size=8'])).toEqual(['--min-semi-space-size=16', '--initial-old-space-size=64', '--no-concurrent-array-buffer-sweeping']);
  });
});
