/**
 * Preloaded into a spawned gateway (NODE_OPTIONS=--require): for every answer of a server
 * created with its own IncomingMessage class (the gateway's proxy server), prints one JSON line
 * saying whether V8 still held the request and the response in fast mode when the answer
 * finished. test/integration/messageShapes.test.ts reads those lines.
 */
'use strict';
const http = require('node:http');
const v8 = require('node:v8');

v8.setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)');

const createServer = http.createServer;
http.createServer = function probedCreateServer(options, ...rest) {
  const server = createServer.call(this, options, ...rest);
  if (options && typeof options === 'object' && options.IncomingMessage) {
    server.on('request', (req, res) => {
      res.once('finish', () => {
        process.stdout.write(`${JSON.stringify({ probe: 'fast-properties', request: hasFastProperties(req), response: hasFastProperties(res) })}\n`);
      });
    });
  }
  return server;
};
