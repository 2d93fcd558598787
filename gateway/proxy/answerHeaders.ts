import type { IncomingMessage } from 'node:http';
import type { VersionHeaderSet } from '../microversion/responseHeaders';

/** Raw header lines as [name, value] pairs, in the upstream's order and spelling. */
export type HeaderLines = [string, string][];

const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'te', 'trailer', 'upgrade']);

export function headerLines(proxyRes: IncomingMessage): HeaderLines {
  const raw = proxyRes.rawHeaders;
  const connection = proxyRes.headers.connection;
  const named = connection ? connection.split(',').map((n) => n.trim().toLowerCase()) : undefined;
  const lines: HeaderLines = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if (RESPONSE_HOP_BY_HOP.has(lower) || named?.includes(lower)) continue;
    lines.push([raw[i], raw[i + 1]]);
  }
  return lines;
}

/** Forwarded answers that carry version headers report the negotiated version, as Nova would. */
export function rewriteVersionHeaders(lines: HeaderLines, set: VersionHeaderSet, version: string): void {
  const standard = set.standardName.toLowerCase();
  const legacy = set.legacyName.toLowerCase();
  for (const line of lines) {
    const lower = line[0].toLowerCase();
    if (lower === standard) line[1] = set.standardValue(version);
    else if (lower === legacy) line[1] = version;
  }
}

/** Legacy /v2: no version headers and no Vary entries for them, as Nova's LegacyV2CompatibleWrapper. */
export function stripVersionHeaders(lines: HeaderLines, set: VersionHeaderSet): HeaderLines {
  const names = new Set([set.standardName.toLowerCase(), set.legacyName.toLowerCase()]);
  const out: HeaderLines = [];
  for (const [name, value] of lines) {
    const lower = name.toLowerCase();
    if (names.has(lower)) continue;
    if (lower === 'vary') {
      const kept = value.split(',').map((v) => v.trim()).filter((v) => v && !names.has(v.toLowerCase()));
      if (kept.length) out.push([name, kept.join(', ')]);
      continue;
    }
    out.push([name, value]);
  }
  return out;
}

export function setHeaderLine(lines: HeaderLines, name: string, value: string): HeaderLines {
  const lower = name.toLowerCase();
  const out = lines.filter(([n]) => n.toLowerCase() !== lower);
  out.push([name, value]);
  return out;
}

export function withoutHeaders(lines: HeaderLines, names: readonly string[]): HeaderLines {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  return lines.filter(([n]) => !drop.has(n.toLowerCase()));
}

export function headerValue(lines: HeaderLines, name: string): string | undefined {
  const lower = name.toLowerCase();
  return lines.find(([n]) => n.toLowerCase() === lower)?.[1];
}

export function flatten(lines: HeaderLines): string[] {
  const flat: string[] = [];
  for (const [n, v] of lines) flat.push(n, v);
  return flat;
}
