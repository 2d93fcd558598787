import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The upstream's body to the client with backpressure, as pipe() moves it, on four listeners
 * instead of pipe()'s six on both streams (and our two) and their removal: on a small answer
 * that bookkeeping is most of the stream cost. A client that leaves is handled where the
 * request is forwarded (the upstream request is destroyed), so nothing here waits for the
 * client's close.
 */
export function pump(from: IncomingMessage, to: ServerResponse): void {
  const resume = () => from.resume();
  from.on('data', (chunk: Buffer) => {
    if (to.write(chunk)) return;
    from.pause();
    to.once('drain', resume);
  });
  from.once('end', () => to.end());
  from.once('error', () => to.destroy());
  from.once('aborted', () => to.destroy());
}
