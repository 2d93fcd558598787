/** A raw HTTP client for simulator tests: exact status, header lines as sent, body bytes. */
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  /** [name, value] pairs in the order and spelling they were sent. */
  headerLines: Array<[string, string]>;
  body: string;
  header(name: string): string | undefined;
  all(name: string): string[];
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function send(baseUrl: string, path: string, opts: RawRequest = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const headers: Record<string, string> = { ...opts.headers };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['Content-Length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: opts.method ?? 'GET', path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const lines: Array<[string, string]> = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
          const all = (name: string): string[] => lines.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
          resolve({
            status: res.statusCode ?? 0,
            headerLines: lines,
            body: Buffer.concat(chunks).toString('utf8'),
            header: (name) => all(name)[0],
            all,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export const ADMIN = { 'X-Auth-Token': 'admin:admin' };
export const JSON_CT = { 'Content-Type': 'application/json' };

export function at(version: string): Record<string, string> {
  return { ...ADMIN, 'OpenStack-API-Version': `compute ${version}` };
}

/** The four microversion headers Nova puts on every Resource answer. */
export function versionHeaderLines(r: RawResponse): Array<[string, string]> {
  return r.headerLines.filter(([k]) =>
    ['openstack-api-version', 'x-openstack-nova-api-version', 'vary'].includes(k.toLowerCase()),
  );
}

export function expectedVersionHeaders(v: string): Array<[string, string]> {
  return [
    ['OpenStack-API-Version', `compute ${v}`],
    ['X-OpenStack-Nova-API-Version', v],
    ['Vary', 'OpenStack-API-Version'],
    ['Vary', 'X-OpenStack-Nova-API-Version'],
  ];
}

export const NF = '{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}';
export const FAULT_TYPE = 'application/json; charset=UTF-8';
