import type { HttpMethod, RuleApi } from './types';

/** A rule file's data once it has passed the JSON Schema (shapes guaranteed, meanings not yet). */
export interface RawRuleFile {
  readonly $schema?: string;
  readonly microversion: string;
  readonly title: string;
  readonly description?: string;
  readonly rules: readonly RawRule[];
  readonly examples?: readonly RawExample[];
}

export interface RawRule {
  readonly id: string;
  readonly description?: string;
  readonly enabled?: boolean;
  readonly shadow?: boolean;
  readonly match: RawMatch;
  /** Each a single-key map: kind → config. */
  readonly actions: readonly Readonly<Record<string, unknown>>[];
}

export interface RawMatch {
  readonly methods: readonly HttpMethod[];
  readonly path: string;
  readonly versions: string;
  readonly apis?: readonly RuleApi[];
  readonly serverActions?: readonly string[];
}

export interface RawExample {
  readonly name: string;
  readonly request: ExampleRequest;
  readonly expect: ExampleExpectation;
}

export interface ExampleRequest {
  readonly method: HttpMethod;
  readonly path: string;
  readonly version?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface ExampleExpectation {
  readonly respond?: number;
  readonly forward?: true;
  readonly rules?: readonly string[];
  readonly error?: number;
}
