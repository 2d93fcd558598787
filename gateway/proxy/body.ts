import type { Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync, inflateSync, inflateRawSync } from 'node:zlib';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
  }
}

/** Reads a whole stream up to `limit` bytes; rejects with BodyTooLargeError past it. */
export function readBounded(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        stream.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('stream closed before its end'));
    };
    function cleanup() {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    }
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
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
