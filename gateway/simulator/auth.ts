/**
 * Nova's noauth2 middleware (nova/api/openstack/auth.py NoAuthMiddleware): `X-Auth-Token:
 * user:project` becomes the request context (admin when the user is "admin"); without a
 * token it answers 204 with a fake token and management URL instead of calling the API.
 */
import { reply, type Reply } from './reply';
import type { IncomingCall } from './request';
import { headerValue } from './request';
import type { AuthContext } from './resource';

export type AuthOutcome = { readonly ok: true; readonly auth: AuthContext } | { readonly ok: false; readonly reply: Reply };

/** `requestUrl` is webob's req.url (application URL + path + query). */
export function noauth2(call: IncomingCall, requestUrl: string): AuthOutcome {
  const token = headerValue(call.headers, 'x-auth-token');
  if (token === undefined) {
    const user = headerValue(call.headers, 'x-auth-user') ?? 'admin';
    const project = headerValue(call.headers, 'x-auth-project-id') ?? 'admin';
    const osUrl = [requestUrl.replace(/\/+$/, ''), project].join('/');
    return {
      ok: false,
      reply: reply(204, [
        ['Content-Type', 'text/plain; charset=UTF-8'],
        ['X-Auth-Token', `${user}:${project}`],
        ['X-Server-Management-Url', osUrl],
      ]),
    };
  }
  const sep = token.indexOf(':');
  const userId = sep < 0 ? token : token.slice(0, sep);
  const projectId = (sep < 0 ? '' : token.slice(sep + 1)) || userId;
  return { ok: true, auth: { userId, projectId, isAdmin: userId === 'admin' } };
}
