import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type UpstreamErrorKind = 'refused' | 'reset' | 'timeout' | 'dns' | 'other';
export type Answerer = 'gateway' | 'upstream';

/** Every metric the gateway exports, on its own registry (one per gateway instance). */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'gateway_requests_total',
    help: 'Requests, by method, status class ("none": the client left before an answer), negotiated version ("none" before negotiation or off /v2.1) and who answered (gateway or upstream)',
    labelNames: ['method', 'status_class', 'version', 'answered_by'] as const,
    registers: [this.registry],
  });

  readonly forwardedVersions = new Counter({
    name: 'gateway_forwarded_requests_total',
    help: 'Requests forwarded upstream, by the microversion they were forwarded at',
    labelNames: ['forwarded_version'] as const,
    registers: [this.registry],
  });

  readonly upstreamDuration = new Histogram({
    name: 'gateway_upstream_duration_seconds',
    help: 'Time from forwarding a request to the upstream answer headers',
    labelNames: ['status_class'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly upstreamErrors = new Counter({
    name: 'gateway_upstream_errors_total',
    help: 'Upstream failures, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly ruleHits = new Counter({
    name: 'gateway_rule_hits_total',
    help: 'Rules applied (mode "enforced") or that would have applied (mode "shadow"), by rule id and action',
    labelNames: ['rule', 'action', 'mode'] as const,
    registers: [this.registry],
  });

  readonly rewritePassThroughs = new Counter({
    name: 'gateway_rewrite_passthrough_total',
    help: 'Answers a rule wanted to rewrite but that passed through unchanged, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly precheckRejections = new Counter({
    name: 'gateway_precheck_rejections_total',
    help: 'Requests refused by a precheck, by rule id',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });

  readonly withholdOutcomes = new Counter({
    name: 'gateway_withhold_outcomes_total',
    help: 'Withheld body members written to the Image service, by rule id and outcome',
    labelNames: ['rule', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly refusedTargets = new Counter({
    name: 'gateway_refused_targets_total',
    help: 'Request targets refused before routing, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly rulesLoaded = new Gauge({
    name: 'gateway_rules_loaded',
    help: 'Rules in the active rule set, by state (enforced, shadow, disabled)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly ruleReloads = new Counter({
    name: 'gateway_rule_reloads_total',
    help: 'Rule set reloads, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly lastReloadSuccess = new Gauge({
    name: 'gateway_rule_reload_last_success_timestamp_seconds',
    help: 'Unix time of the last successful rule load',
    registers: [this.registry],
  });

  readonly ruleSetInfo = new Gauge({
    name: 'gateway_rule_set_info',
    help: 'The active rule set (value 1), labelled with its hash',
    labelNames: ['hash'] as const,
    registers: [this.registry],
  });

  readonly advertisedInfo = new Gauge({
    name: 'gateway_microversion_info',
    help: 'Upstream and advertised maximum microversions (value 1)',
    labelNames: ['upstream_max', 'advertised_max'] as const,
    registers: [this.registry],
  });

  /** Per-request hot paths: children by label values, in labelNames order. */
  readonly requestsBy = labelledChildren((...v: string[]) => this.requests.labels(...v));
  readonly forwardedAt = labelledChildren((...v: string[]) => this.forwardedVersions.labels(...v));
  readonly upstreamDurationBy = labelledChildren((...v: string[]) => this.upstreamDuration.labels(...v));

  constructor(collectProcessMetrics = true) {
    if (collectProcessMetrics) collectDefaultMetrics({ register: this.registry });
  }
}

/**
 * Label children looked up once per distinct label set (bounded: methods, classes, versions),
 * instead of prom-client hashing the label object on every request.
 */
export function labelledChildren<C>(labels: (...values: string[]) => C): (...values: string[]) => C {
  const children = new Map<string, C>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = children.get(key);
    if (!child) children.set(key, (child = labels(...values)));
    return child;
  };
}

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
