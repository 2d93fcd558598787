/**
 * Preloaded into a spawned gateway (NODE_OPTIONS=--require dist/test/support/fastPropertiesProbe.js):
 * for every answer of a server created with its own IncomingMessage class (the gateway's proxy
 * server), prints one JSON line saying whether V8 still held the request and the response in
 * fast mode when the answer finished. test/integration/messageShapes.test.ts reads those lines.
 */
import http from 'node:http';
import v8 from 'node:v8';

v8.setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

const createServer = http.createServer as (...args: unknown[]) => http.Server;
(http as { createServer: unknown }).createServer = function probedCreateServer(this: unknown, ...args: unknown[]) {
  const server = createServer.apply(this, args);
  const options = args[0];
  if (options && typeof options === 'object' && 'IncomingMessage' in options) {
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.once('finish', () => {
        process.stdout.write(`${JSON.stringify({ probe: 'fast-properties', request: hasFastProperties(req), response: hasFastProperties(res) })}\n`);
      });
    });
  }
  return server;
};
