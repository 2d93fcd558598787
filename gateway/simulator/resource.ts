/**
 * Nova's wsgi.Resource request processing (nova/api/openstack/wsgi.py), in Nova's order:
 * version → Content-Type (415) → method/action lookup → body decode → URL project check →
 * per-method version gate (404) → schema validation (400) → handler; the version headers
 * go on every answer once the version is known.
 */
import { negotiateVersion, type VersionRange } from '../microversion/negotiate';
import { versionHeaderSet, versionHeaders } from '../microversion/responseHeaders';
import { NOVA_SERVICE } from '../microversion/service';
import { mustParseMicroversion, type Microversion } from '../microversion/version';
import { isValidUtf8, PyDict, pyJsonLoads, PyJsonError, type PyValue } from './pyjson';
import { addHeaders, faultReply, FaultError, type HeaderList, type Reply } from './reply';
import type { IncomingCall } from './request';
import { headerValue } from './request';
import type { SimulatorConfig } from './config';
import type { SimulatorState } from './state';
import { validateBody, type Schema } from './validation';
import { NAME_FORMATS } from './schemas';

/** The request context noauth2 builds from `X-Auth-Token: user:project`. */
export interface AuthContext {
  readonly userId: string;
  readonly projectId: string;
  readonly isAdmin: boolean;
}

/** What a handler sees. */
export interface ApiRequest {
  readonly call: IncomingCall;
  readonly config: SimulatorConfig;
  readonly state: SimulatorState;
  readonly auth?: AuthContext;
  /** host_url + SCRIPT_NAME, e.g. http://127.0.0.1:8774/v2.1 */
  readonly applicationUrl: string;
  /** webob req.url */
  readonly url: string;
  /** The image service endpoint ([glance] api_servers). */
  readonly glanceUrl: string;
  readonly params: URLSearchParams;
  readonly legacyV2: boolean;
  /** Effective version (2.1 for legacy /v2). */
  readonly version: Microversion;
  /** Content type of success bodies (nova.best_content_type). */
  readonly contentType: string;
  /** Route variables. */
  readonly args: Readonly<Record<string, string>>;
  /** The decoded body for POST/PUT (null when empty), undefined for other methods. */
  readonly body: PyValue | undefined;
}

export interface Operation {
  /** `@wsgi.api_version(min, max)`: outside → 404 itemNotFound. */
  readonly minVersion?: string;
  readonly maxVersion?: string;
  /** The body schema applying to this request, if any (`@validation.schema`). */
  schema?(req: ApiRequest): Schema | undefined;
  /** False for controller methods without a `body` parameter (a body then is a TypeError → 400). */
  readonly takesBody?: boolean;
  handle(req: ApiRequest): Reply | Promise<Reply>;
}

/** A route's target: one method, or an action dispatcher keyed by the body's single key. */
export type ResourceTarget =
  | { readonly kind: 'method'; readonly op: Operation }
  | { readonly kind: 'action'; readonly actions: Readonly<Record<string, Operation>> };

export interface ResourceCall {
  readonly call: IncomingCall;
  readonly config: SimulatorConfig;
  readonly state: SimulatorState;
  readonly auth?: AuthContext;
  readonly applicationUrl: string;
  readonly url: string;
  readonly glanceUrl: string;
  readonly legacyV2: boolean;
  /** False for the root version list (`support_api_request_version = False`). */
  readonly versioned: boolean;
  readonly contentType: string;
  readonly args: Readonly<Record<string, string>>;
  /** The project id segment from the URL, if the route had one. */
  readonly projectId?: string;
}

const HEADER_SET = versionHeaderSet(NOVA_SERVICE);
const SUPPORTED_CONTENT_TYPES = new Set(['application/json', 'application/vnd.openstack.compute+json']);
const METHODS_WITH_BODY = new Set(['POST', 'PUT']);
const DEFAULT_VERSION = mustParseMicroversion('2.1');

export async function runResource(rc: ResourceCall, target: ResourceTarget): Promise<Reply> {
  let version: Microversion | undefined;
  if (rc.versioned && !rc.legacyV2) {
    const n = negotiateVersion(rc.call.headers, NOVA_SERVICE, rc.config.range);
    if (!n.ok) {
      if (n.status === 400) return faultReply(400, n.message);
      return withVersion(faultReply(406, n.message), n.echo);
    }
    version = n.version;
  }
  const finish = (r: Reply): Reply => (version ? withVersion(r, version.text) : r);
  try {
    return finish(await process(rc, target, version ?? DEFAULT_VERSION));
  } catch (e) {
    if (e instanceof FaultError) return finish(faultReply(e.status, e.explanation));
    throw e;
  }
}

export function withVersion(r: Reply, version: string): Reply {
  const h = versionHeaders(HEADER_SET, version);
  const list: HeaderList = [
    [HEADER_SET.standardName, String(h[HEADER_SET.standardName])],
    [HEADER_SET.legacyName, String(h[HEADER_SET.legacyName])],
    ...HEADER_SET.vary.map((v): [string, string] => ['Vary', v]),
  ];
  return addHeaders(r, list);
}

async function process(rc: ResourceCall, target: ResourceTarget, version: Microversion): Promise<Reply> {
  if (!contentTypeAccepted(headerValue(rc.call.headers, 'content-type'))) {
    return faultReply(415, 'Unsupported Content-Type');
  }
  const op = lookupMethod(rc.call.body, target);
  if (!isValidUtf8(rc.call.body)) {
    // str(body, 'utf-8') in the debug line raises; FaultWrapper turns it into a bare 500.
    return faultReply(500);
  }
  const body = decodeBody(rc);
  const project = rc.projectId;
  if (rc.auth && project && project !== rc.auth.projectId) {
    return faultReply(
      400,
      `Malformed request URL: URL's project_id '${project}' doesn't match Context's project_id '${rc.auth.projectId}'`,
    );
  }
  if (!versionAllowed(op, version)) return faultReply(404);
  if (body !== undefined && op.takesBody === false) return faultReply(400);
  const req: ApiRequest = {
    call: rc.call,
    config: rc.config,
    state: rc.state,
    auth: rc.auth,
    applicationUrl: rc.applicationUrl,
    url: rc.url,
    glanceUrl: rc.glanceUrl,
    params: new URLSearchParams(rc.call.query),
    legacyV2: rc.legacyV2,
    version,
    contentType: rc.contentType,
    args: rc.args,
    body,
  };
  const schema = op.schema?.(req);
  if (schema) {
    const detail = validateBody(schema, body ?? null, {
      relaxAdditionalProperties: rc.legacyV2,
      formats: NAME_FORMATS,
    });
    if (detail !== undefined) return faultReply(400, detail);
  }
  return op.handle(req);
}

/** Request.get_content_type: absent, empty or text/plain mean "none"; else JSON types only. */
function contentTypeAccepted(raw: string | undefined): boolean {
  if (raw === undefined) return true;
  const type = raw.split(';', 1)[0];
  return !type || type === 'text/plain' || SUPPORTED_CONTENT_TYPES.has(type);
}

function lookupMethod(body: Buffer, target: ResourceTarget): Operation {
  if (target.kind === 'method') return target.op;
  const name = actionPeek(body);
  const op = Object.prototype.hasOwnProperty.call(target.actions, name) ? target.actions[name] : undefined;
  if (!op) throw new FaultError(400, `There is no such action: ${name}`);
  return op;
}

/** wsgi.action_peek: exactly one top-level key; len()/keys() failures are a 404. */
function actionPeek(body: Buffer): string {
  let decoded: PyValue;
  try {
    decoded = pyJsonLoads(body);
  } catch (e) {
    if (e instanceof PyJsonError) throw new FaultError(400, 'Malformed request body');
    throw e;
  }
  const length = pyLen(decoded);
  if (length === undefined) throw new FaultError(404);
  if (length !== 1) throw new FaultError(400, 'Malformed request body');
  if (!(decoded instanceof PyDict)) throw new FaultError(404);
  return decoded.keys()[0];
}

function pyLen(v: PyValue): number | undefined {
  if (v instanceof PyDict) return v.size;
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'string') return [...v].length;
  return undefined;
}

/** Resource._get_request_content: POST/PUT only; no or zero Content-Length → body None. */
function decodeBody(rc: ResourceCall): PyValue | undefined {
  if (!METHODS_WITH_BODY.has(rc.call.method)) return undefined;
  const length = Number(headerValue(rc.call.headers, 'content-length') ?? '0');
  if (!length) return null;
  try {
    return pyJsonLoads(rc.call.body);
  } catch (e) {
    if (e instanceof PyJsonError) throw new FaultError(400, 'Malformed request body');
    throw e;
  }
}

function versionAllowed(op: Operation, version: Microversion): boolean {
  if (op.minVersion && version.key < mustParseMicroversion(op.minVersion).key) return false;
  if (op.maxVersion && version.key > mustParseMicroversion(op.maxVersion).key) return false;
  return true;
}

export function isAtLeast(req: ApiRequest, v: string): boolean {
  return !req.legacyV2 && req.version.key >= mustParseMicroversion(v).key;
}

export type { VersionRange };
