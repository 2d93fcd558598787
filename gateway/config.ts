import { parseMicroversion, type Microversion } from './microversion/version';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface GatewayConfig {
  /** The compute API's origin; undefined = start the bundled simulator as a demo upstream. */
  readonly upstream?: URL;
  readonly listen: HostPort;
  readonly adminListen: HostPort;
  readonly rulesDir: string;
  readonly upstreamMaxVersion?: Microversion;
  readonly imageService?: URL;
  /** "" or a path such as "/compute", without trailing slash. */
  readonly prefix: string;
  readonly upstreamTimeoutMs: number;
  readonly bodyLimitBytes: number;
  readonly rewriteLimitBytes: number;
  readonly limitsCacheSeconds: number;
  readonly serviceType: string;
  readonly legacyVersionHeader: string;
  readonly shadow: boolean;
  readonly logLevel: string;
  readonly shutdownTimeoutMs: number;
  readonly watchRules: boolean;
}

export class ConfigError extends Error {}

interface OptionSpec<K extends keyof GatewayConfig> {
  readonly key: K;
  readonly flag: string;
  readonly env: string;
  readonly default?: string;
  readonly valueName: string;
  readonly help: string;
  parse(text: string, where: string): GatewayConfig[K];
}

function spec<K extends keyof GatewayConfig>(s: OptionSpec<K>): OptionSpec<K> {
  return s;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const OPTIONS = [
  spec({ key: 'upstream', flag: 'upstream', env: 'GATEWAY_UPSTREAM', valueName: 'URL',
    help: 'Origin of the compute API, e.g. http://127.0.0.1:8774 (no path: use --prefix). Unset: the bundled simulator is started as a demo upstream.',
    parse: (t, w) => httpOrigin(t, w) }),
  spec({ key: 'listen', flag: 'listen', env: 'GATEWAY_LISTEN', default: '127.0.0.1:8080', valueName: 'HOST:PORT',
    help: 'Address the proxy listens on.', parse: hostPort }),
  spec({ key: 'adminListen', flag: 'admin-listen', env: 'GATEWAY_ADMIN_LISTEN', default: '127.0.0.1:9090', valueName: 'HOST:PORT',
    help: 'Address of /healthz, /readyz and /metrics.', parse: hostPort }),
  spec({ key: 'rulesDir', flag: 'rules', env: 'GATEWAY_RULES', default: './rules', valueName: 'DIR',
    help: 'Directory of rule files (*.yaml, *.yml, *.json).', parse: nonEmpty }),
  spec({ key: 'upstreamMaxVersion', flag: 'upstream-max-version', env: 'GATEWAY_UPSTREAM_MAX_VERSION', valueName: 'X.Y',
    help: "The upstream's maximum microversion. Unset: read from the upstream's GET /v2.1/ at start.",
    parse: (t, w) => { const v = parseMicroversion(t); if (!v) throw new ConfigError(`${w}: "${t}" is not a microversion X.Y`); return v; } }),
  spec({ key: 'imageService', flag: 'image-service', env: 'GATEWAY_IMAGE_SERVICE', valueName: 'URL',
    help: 'Image service (Glance) endpoint for withheld image properties. Unset: derived from the Location the upstream returns.',
    parse: (t, w) => httpUrl(t, w) }),
  spec({ key: 'prefix', flag: 'prefix', env: 'GATEWAY_PREFIX', default: '', valueName: 'PATH',
    help: 'Path prefix of the compute API on both sides, e.g. /compute.', parse: pathPrefix }),
  spec({ key: 'upstreamTimeoutMs', flag: 'upstream-timeout', env: 'GATEWAY_UPSTREAM_TIMEOUT', default: '60', valueName: 'SECONDS',
    help: 'Idle time allowed waiting on the upstream before answering 504.', parse: (t, w) => seconds(t, w) }),
  spec({ key: 'bodyLimitBytes', flag: 'body-limit', env: 'GATEWAY_BODY_LIMIT', default: '114688', valueName: 'BYTES',
    help: "Largest request body a rule may read (Nova's own limit is 114688); larger ones get 413.", parse: (t, w) => positiveInt(t, w) }),
  spec({ key: 'rewriteLimitBytes', flag: 'rewrite-limit', env: 'GATEWAY_REWRITE_LIMIT', default: '10485760', valueName: 'BYTES',
    help: 'Largest answer a rule may buffer to rewrite; larger ones pass through unchanged.', parse: (t, w) => positiveInt(t, w) }),
  spec({ key: 'limitsCacheSeconds', flag: 'limits-cache-ttl', env: 'GATEWAY_LIMITS_CACHE_TTL', default: '60', valueName: 'SECONDS',
    help: "How long a caller's upstream GET /limits answer is reused by prechecks.", parse: (t, w) => nonNegativeNumber(t, w) }),
  spec({ key: 'serviceType', flag: 'service-type', env: 'GATEWAY_SERVICE_TYPE', default: 'compute', valueName: 'TYPE',
    help: 'Service type in OpenStack-API-Version.', parse: token }),
  spec({ key: 'legacyVersionHeader', flag: 'legacy-version-header', env: 'GATEWAY_LEGACY_VERSION_HEADER', default: 'X-OpenStack-Nova-API-Version', valueName: 'NAME',
    help: 'Legacy microversion header name.', parse: token }),
  spec({ key: 'shadow', flag: 'shadow', env: 'GATEWAY_SHADOW', default: 'false', valueName: 'BOOL',
    help: 'Dry-run every rule: evaluate and count, never enforce.', parse: bool }),
  spec({ key: 'watchRules', flag: 'watch-rules', env: 'GATEWAY_WATCH_RULES', default: 'true', valueName: 'BOOL',
    help: 'Reload the rules directory when it changes (SIGHUP always reloads).', parse: bool }),
  spec({ key: 'logLevel', flag: 'log-level', env: 'GATEWAY_LOG_LEVEL', default: 'info', valueName: 'LEVEL',
    help: `Log level: ${LOG_LEVELS.join(', ')}.`,
    parse: (t, w) => { if (!LOG_LEVELS.includes(t)) throw new ConfigError(`${w}: "${t}" is not one of ${LOG_LEVELS.join(', ')}`); return t; } }),
  spec({ key: 'shutdownTimeoutMs', flag: 'shutdown-timeout', env: 'GATEWAY_SHUTDOWN_TIMEOUT', default: '30', valueName: 'SECONDS',
    help: 'On SIGTERM/SIGINT, how long in-flight requests may finish.', parse: (t, w) => seconds(t, w) }),
] as const;

/** Flags win over environment variables, which win over defaults. */
export function resolveConfig(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): GatewayConfig {
  const out: Record<string, unknown> = {};
  for (const o of OPTIONS) {
    const fromFlag = flags[o.flag];
    const fromEnv = env[o.env];
    const [text, where] =
      fromFlag !== undefined ? [fromFlag, `--${o.flag}`]
      : fromEnv !== undefined && fromEnv !== '' ? [fromEnv, o.env]
      : [o.default, `default of --${o.flag}`];
    out[o.key] = text === undefined ? undefined : (o.parse as (t: string, w: string) => unknown)(text, where);
  }
  return out as unknown as GatewayConfig;
}

export function helpText(): string {
  const lines = OPTIONS.map((o) => {
    const def = o.default === undefined ? '' : ` (default: ${o.default === '' ? '""' : o.default})`;
    return `  --${o.flag} ${o.valueName}\n      ${o.help}${def}\n      env: ${o.env}`;
  });
  return lines.join('\n');
}

function nonEmpty(t: string, where: string): string {
  if (!t.trim()) throw new ConfigError(`${where}: must not be empty`);
  return t;
}

function token(t: string, where: string): string {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(t)) throw new ConfigError(`${where}: "${t}" is not a valid HTTP token`);
  return t;
}

function httpUrl(t: string, where: string): URL {
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    throw new ConfigError(`${where}: "${t}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`${where}: "${t}" must be an http:// or https:// URL`);
  if (u.search || u.hash || u.username || u.password) throw new ConfigError(`${where}: "${t}" must not carry a query, fragment or credentials`);
  return u;
}

function httpOrigin(t: string, where: string): URL {
  const u = httpUrl(t, where);
  if (u.pathname !== '/') throw new ConfigError(`${where}: "${t}" must be an origin without a path (use --prefix for a path prefix)`);
  return u;
}

function hostPort(t: string, where: string): HostPort {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(t);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`${where}: "${t}" is not HOST:PORT (e.g. 127.0.0.1:8080)`);
  return { host: m[1] ?? m[2], port };
}

function pathPrefix(t: string, where: string): string {
  if (t === '' || t === '/') return '';
  if (!/^(\/[A-Za-z0-9\-._~!$&'()*+,=:@]+)+$/.test(t)) {
    throw new ConfigError(`${where}: "${t}" must be a path such as /compute (no trailing slash, no dot segments, no escapes)`);
  }
  if (t.split('/').some((s) => s === '.' || s === '..')) throw new ConfigError(`${where}: "${t}" must not contain dot segments`);
  return t;
}

function positiveInt(t: string, where: string): number {
  if (!/^[1-9]\d*$/.test(t)) throw new ConfigError(`${where}: "${t}" is not a positive whole number`);
  return Number(t);
}

function nonNegativeNumber(t: string, where: string): number {
  if (!/^\d+(\.\d+)?$/.test(t)) throw new ConfigError(`${where}: "${t}" is not a non-negative number`);
  return Number(t);
}

function seconds(t: string, where: string): number {
  const n = nonNegativeNumber(t, where);
  if (n <= 0) throw new ConfigError(`${where}: must be greater than 0`);
  return Math.round(n * 1000);
}

function bool(t: string, where: string): boolean {
  if (/^(true|1|yes|on)$/i.test(t)) return true;
  if (/^(false|0|no|off)$/i.test(t)) return false;
  throw new ConfigError(`${where}: "${t}" is not a boolean (true/false)`);
}
