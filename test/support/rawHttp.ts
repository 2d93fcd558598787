import { exchange, type Answer } from './sockets';

export type RawResponse = Answer;

/**
 * Sends bytes exactly as given over a fresh TCP connection and parses the answer (no client
 * normalisation of the target); rejects when the connection ends without a full answer.
 */
export async function rawRequest(baseUrl: string, request: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const result = await exchange(baseUrl, request, { timeoutMs });
  if (result.kind === 'answer') return result;
  throw new Error(`no full answer (${result.kind}) after ${result.elapsedMs} ms: ${JSON.stringify(result.received.slice(0, 200))}`);
}

/** Builds a request with the exact target; adds Host and Connection: close. */
export function rawGet(target: string, headers: Record<string, string> = {}, method = 'GET', body?: string): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return lines.join('\r\n') + '\r\n\r\n' + (body ?? '');
}
