import type { Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync, inflateSync, inflateRawSync } from 'node:zlib';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
  }
}

export type Collected =
  | { readonly kind: 'complete'; readonly body: Buffer }
  /** Past the cap: what was read so far; the stream is paused with the rest unread. */
  | { readonly kind: 'over-cap'; readonly chunks: Buffer[] }
  | { readonly kind: 'failed'; readonly error: Error };

/** Reads a stream up to `cap` bytes, stopping (paused) as soon as it goes past. */
export function collect(stream: Readable, cap: number): Promise<Collected> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > cap) {
        stream.pause();
        done({ kind: 'over-cap', chunks });
      }
    };
    const onEnd = () => done({ kind: 'complete', body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
    const onError = (error: Error) => done({ kind: 'failed', error });
    const onClose = () => done({ kind: 'failed', error: new Error('stream closed before its end') });
    function done(result: Collected) {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      stream.off('aborted', onClose);
      resolve(result);
    }
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.on('aborted', onClose);
  });
}

/** Reads a whole request body up to `limit` bytes; rejects with BodyTooLargeError past it. */
export async function readBounded(stream: Readable, limit: number): Promise<Buffer> {
  const result = await collect(stream, limit);
  if (result.kind === 'complete') return result.body;
  throw result.kind === 'over-cap' ? new BodyTooLargeError(limit) : result.error;
}

/** Decodes a Content-Encoding (gzip, deflate, br, identity); undefined when it cannot. */
export function decodeContent(body: Buffer, encoding: string | undefined, maxOutput: number): Buffer | undefined {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  try {
    switch (coding) {
      case '':
      case 'identity':
        return body;
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(body, { maxOutputLength: maxOutput });
      case 'deflate':
        return inflateDeflate(body, maxOutput);
      case 'br':
        return brotliDecompressSync(body, { maxOutputLength: maxOutput });
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** "deflate" is zlib-wrapped by the standard, raw in some servers: accept both. */
function inflateDeflate(body: Buffer, maxOutput: number): Buffer {
  try {
    return inflateSync(body, { maxOutputLength: maxOutput });
  } catch {
    return inflateRawSync(body, { maxOutputLength: maxOutput });
  }
}
