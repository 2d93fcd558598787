import type { MicroversionRange } from '../microversion/range';
import type { Microversion } from '../microversion/version';

/** Which API a rule applies to: v2.1 by default; legacy /v2 runs as 2.1 without microversions. */
export type RuleApi = 'v2.1' | 'v2';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A JSON Pointer (RFC 6901), parsed into reference tokens at load time. */
export interface CompiledPointer {
  readonly source: string;
  readonly tokens: readonly string[];
}

/** Actions, as validated and compiled from a rule file. */
export interface RespondAction {
  readonly kind: 'respond';
  readonly status: number;
  /** Final message; defaults to Nova's text for the status, resolved at load time. */
  readonly message: string;
  /** Pre-serialised fault body bytes (Nova's exact format). */
  readonly body: Buffer;
}

export interface RemoveAction {
  readonly kind: 'remove';
  readonly pointers: readonly CompiledPointer[];
}

export type LimitSource =
  | { readonly kind: 'fixed'; readonly value: number }
  /** A number read from the upstream's GET /limits answer for the same caller. */
  | { readonly kind: 'upstream-limits'; readonly pointer: CompiledPointer };

export interface PrecheckAction {
  readonly kind: 'precheck';
  /** Members counted: an object's keys or an array's items at this pointer in the request body. */
  readonly count: CompiledPointer;
  readonly limit: LimitSource;
  readonly status: number;
  readonly message: string;
  readonly body: Buffer;
}

export interface WithholdAction {
  readonly kind: 'withhold';
  /** The request body member removed before forwarding and written to the Image service. */
  readonly member: CompiledPointer;
  readonly writeTo: 'image-properties';
}

export interface HeadersAction {
  readonly kind: 'headers';
  /** Response headers to add, name → value, validated as legal HTTP at load time. */
  readonly headers: Readonly<Record<string, string>>;
}

export type RuleAction = RespondAction | RemoveAction | PrecheckAction | WithholdAction | HeadersAction;
export type RuleActionKind = RuleAction['kind'];

/** Where a thing was written, for error messages and `explain`. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface CompiledRule {
  readonly id: string;
  readonly description: string;
  readonly file: string;
  readonly location: SourceLocation;
  /** The microversion the rule's file introduces. */
  readonly introducedIn: Microversion;
  readonly methods: readonly HttpMethod[];
  /** The resource path template, e.g. "/images/{image_id}/metadata/{key}". */
  readonly path: string;
  /** Server action names (the single top-level body key of POST .../action); empty = any request. */
  readonly serverActions: readonly string[];
  readonly versions: MicroversionRange;
  readonly apis: readonly RuleApi[];
  readonly actions: readonly RuleAction[];
  /** Disabled rules are loaded and validated but never applied. */
  readonly enabled: boolean;
  /** Shadow rules are evaluated and counted as "would have", never enforced. */
  readonly shadow: boolean;
}

export interface RuleFileSummary {
  readonly file: string;
  readonly microversion: Microversion;
  readonly title: string;
  readonly description: string;
  readonly ruleIds: readonly string[];
}

/** A request as the matcher sees it: already canonicalised and negotiated. */
export interface MatchQuery {
  readonly method: string;
  readonly api: RuleApi;
  /** Resource path inside the API (no prefix, no version, no project id). */
  readonly resourcePath: string;
  /** Negotiated version; for legacy /v2 requests, 2.1. */
  readonly version: Microversion;
}

/** The rules that apply to a request once its server action name is known. */
export interface RuleMatch {
  readonly rules: readonly CompiledRule[];
  /** True when some candidate rule is restricted to server actions: the body's top-level key decides. */
  readonly needsServerAction: boolean;
  /** Narrow the candidates by the server action name found in the body. */
  forServerAction(action: string | undefined): readonly CompiledRule[];
}

export interface RuleSet {
  readonly files: readonly RuleFileSummary[];
  readonly rules: readonly CompiledRule[];
  /** Hex digest of the files' contents, stable across reloads of the same set. */
  readonly hash: string;
  /** Microversions introduced by the files, ascending. */
  readonly introduced: readonly Microversion[];
  /** Enabled, non-shadow and shadow rules that apply: looked up, never scanned. */
  match(query: MatchQuery): RuleMatch;
}
