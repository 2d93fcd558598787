import type { IncomingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1 connection-specific fields, plus the legacy ones proxies drop. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'upgrade'];

/** Removes hop-by-hop fields and every field the Connection header names. */
export function stripHopByHop(headers: IncomingHttpHeaders): void {
  const connection = headers.connection;
  if (connection) {
    for (const name of connection.split(',')) {
      const n = name.trim().toLowerCase();
      if (n && n in headers) delete headers[n];
    }
  }
  // `delete` of an absent key would still turn the object into a slow dictionary.
  for (const name of HOP_BY_HOP) if (name in headers) delete headers[name];
}
