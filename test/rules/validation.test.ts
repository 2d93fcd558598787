import { file, onlyError, errorsOf, compile, withRules } from './helpers';

/**
 * Every kind of load error: the message, the 1-based line and column of the offending
 * node, and the rule id when inside a rule.
 */

const LIMITS_RULE = `
  - id: r1
    match:
      methods: [GET]
      path: /limits
      versions: ">=2.39"
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`;

describe('a valid file', () => {
  it('loads', () => {
    const r = compile(withRules(LIMITS_RULE));
    expect(r.ok).toBe(true);
  });
});

describe('YAML syntax errors', () => {
  it('names the first syntax error with its position', () => {
    const e = onlyError(file(`
microversion: "2.39"
title: [unclosed
rules: []
`));
    expect(e).toMatchObject({ file: 'rules/f1.yaml', line: 3, column: 1 });
    expect(e.ruleId).toBeUndefined();
    expect(e.text).toBe(
      'rules/f1.yaml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
  });

  it('reports a duplicate key as a syntax error', () => {
    const e = onlyError(file(`
microversion: "2.39"
title: a
title: b
rules: []
`));
    expect(e.text).toBe('rules/f1.yaml:3:1: YAML syntax error: Map keys must be unique');
  });

  it('hints at quoting a braced pointer inside a flow collection', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [POST], path: "/servers/{id}/action", versions: ">=2.39", serverActions: [createImage] }
    actions:
      - withhold: { member: /{action}/metadata, writeTo: image-properties }
`));
    expect(e.line).toBe(7);
    expect(e.message).toMatch(/^YAML syntax error: .*quote values that contain braces, e\.g\. "\/\{action\}\/metadata"/);
  });

  it('refuses an empty file', () => {
    const e = onlyError('# nothing here\n');
    expect(e.text).toBe('rules/f1.yaml:1:1: the file is empty: expected a mapping with microversion, title and rules');
  });
});

describe('unknown keys', () => {
  it('at the top level', () => {
    const e = onlyError(file(`
microversion: "2.39"
title: T
rules: []
changelog: no
`));
    expect(e.text).toBe(
      'rules/f1.yaml:4:1: unknown key "changelog" in rule file (expected one of "$schema", "microversion", "title", "description", "rules", "examples")',
    );
  });

  it('in an action, with the likely key (and not also as missing)', () => {
    const e = onlyError(withRules(`
  - id: limits-drop-max-image-meta
    match:
      methods: [GET]
      path: /limits
      versions: ">=2.39"
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
      - headers: { Deprecation: "true" }
  - id: r2
    match: { methods: [GET], path: /flavors, versions: ">=2.39" }
    actions:
      - remove:
          pointer: [/flavors]
`));
    expect(e.text).toBe('rules/f1.yaml:16:11: rule "r2": unknown key "pointer" in remove action (expected "pointers")');
    expect(e).toMatchObject({ line: 16, column: 11, ruleId: 'r2' });
  });

  it('in match', () => {
    const e = onlyError(withRules(`
  - id: r1
    match:
      methods: [GET]
      path: /limits
      versions: ">=2.39"
      api: [v2]
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`));
    expect(e.text).toBe('rules/f1.yaml:9:7: rule "r1": unknown key "api" in match (expected "apis")');
  });

  it('an unknown action kind', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - reply: { status: 404 }
`));
    expect(e.text).toBe(
      'rules/f1.yaml:7:9: rule "r1": unknown action "reply" (expected one of "respond", "remove", "precheck", "withhold", "headers")',
    );
  });

  it('in an example', () => {
    const e = onlyError(file(`
microversion: "2.39"
title: T
rules: []
examples:
  - name: x
    request: { method: GET, path: /v2.1/limits, verison: "2.39" }
    expect: { forward: true }
`));
    expect(e.text).toBe('rules/f1.yaml:6:49: unknown key "verison" in example request (expected "version")');
  });
});

describe('missing required keys', () => {
  it('in a rule', () => {
    const e = onlyError(withRules(`
  - id: r1
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`));
    expect(e.text).toBe('rules/f1.yaml:4:5: rule "r1": missing required key "match" in rule');
  });

  it('in match', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits }
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`));
    expect(e.text).toBe('rules/f1.yaml:5:12: rule "r1": missing required key "versions" in match');
  });

  it('at the top level', () => {
    const e = onlyError('microversion: "2.39"\nrules: []\n');
    expect(e.text).toBe('rules/f1.yaml:1:1: missing required key "title" in rule file');
  });

  it('in an action', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - respond: { message: gone }
`));
    expect(e.text).toBe('rules/f1.yaml:7:18: rule "r1": missing required key "status" in respond action');
  });
});

describe('wrong types', () => {
  it('an unquoted microversion', () => {
    const e = onlyError('microversion: 2.39\ntitle: T\nrules: []\n');
    expect(e.text).toBe(
      'rules/f1.yaml:1:15: wrong type: "microversion" in rule file must be a string, got number 2.39 (quote it: "2.39" is read as a number)',
    );
  });

  it('a string where a boolean belongs', () => {
    const e = onlyError(withRules(`
  - id: r1
    enabled: "no"
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`));
    expect(e.text).toBe('rules/f1.yaml:5:14: rule "r1": wrong type: "enabled" in rule must be a boolean (true or false), got string "no"');
  });

  it('a single method instead of a list', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: GET, path: /limits, versions: ">=2.39" }
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`));
    expect(e.text).toBe('rules/f1.yaml:5:23: rule "r1": wrong type: "methods" in match must be a list, got string "GET"');
  });

  it('a lower-case method', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET, delete], path: /limits, versions: ">=2.39" }
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`));
    expect(e.text).toBe(
      'rules/f1.yaml:5:29: rule "r1": item 2 of "methods" in match is string "delete", expected one of "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"',
    );
  });

  it('a rule id with capitals', () => {
    const e = onlyError(withRules(`
  - id: Limits
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`));
    expect(e.text).toBe(
      'rules/f1.yaml:4:9: rule "Limits": "id" in rule is "Limits", not allowed: rule ids use lower-case letters, digits and "-", starting with a letter or digit',
    );
  });

  it('two keys in one action item', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
        headers: { Deprecation: "true" }
`));
    expect(e.text).toBe(
      'rules/f1.yaml:7:9: rule "r1": an action must have exactly one key, one of "respond", "remove", "precheck", "withhold", "headers" (got "remove", "headers": write each as its own list item)',
    );
  });

  it('a precheck limit with both sources', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [POST], path: "/servers/{id}/action", versions: "<2.39", serverActions: [createImage] }
    actions:
      - precheck: { count: "/{action}/metadata", limit: { value: 3, fromUpstreamLimits: /a }, status: 403, message: m }
`));
    expect(e.text).toBe('rules/f1.yaml:7:57: rule "r1": precheck limit must have exactly one of "value" or "fromUpstreamLimits"');
  });
});

describe('bad microversions', () => {
  it.each([['2.039'], ['2'], ['v2.39'], ['2.39.0'], ['latest']])('"%s"', (v) => {
    const e = onlyError(`microversion: "${v}"\ntitle: T\nrules: []\n`);
    expect(e.text).toBe(
      `rules/f1.yaml:1:15: bad microversion "${v}": must be X.Y with numbers without leading zeros, e.g. "2.39"`,
    );
  });

  it('two files introducing the same microversion: the second is refused, naming the first', () => {
    const errors = errorsOf('microversion: "2.39"\ntitle: A\nrules: []\n', 'title: B\nmicroversion: "2.39"\nrules: []\n');
    expect(errors.map((e) => e.text)).toEqual([
      'rules/f2.yaml:2:15: microversion 2.39 is already introduced by rules/f1.yaml:1:15 (one file per microversion)',
    ]);
  });
});

describe('bad ranges', () => {
  it.each([['>=2.39.1'], ['~2.39'], ['2.x'], ['>=abc'], ['^2.39'], ['']])('"%s"', (range) => {
    const e = onlyError(withRules(`
  - id: r1
    match:
      methods: [GET]
      path: /limits
      versions: "${range}"
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`));
    expect(e).toMatchObject({ line: 8, column: 17, ruleId: 'r1' });
    expect(e.message).toBe(
      `bad versions range: "${range}" is not a microversion range (use comparators such as ">=2.39", "<2.39", ">=2.36 <2.39" or "2.1 - 2.38")`,
    );
  });

  it('an empty range', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.40 <2.39" }
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`));
    expect(e.text).toBe('rules/f1.yaml:5:55: rule "r1": versions ">=2.40 <2.39" admits no microversion');
  });
});

describe('bad path templates', () => {
  it.each([
    ['images/{id}', 'must start with "/"'],
    ['/images//metadata', 'empty segment ("//")'],
    ['/images/metadata/', 'ends with "/" (drop it: one trailing slash in a request is matched as absent)'],
    ['/images/{image_id/metadata', 'unbalanced braces in segment "{image_id"'],
    ['/images/image_id}/metadata', 'unbalanced braces in segment "image_id}"'],
    ['/images/{{id}}', 'unbalanced braces in segment "{{id}}"'],
    ['/servers/{id}/x/{id}', 'duplicate parameter "{id}"'],
    ['/{project}/images', 'first segment must be a literal, not the parameter "{project}"'],
    ['/images/../servers', 'dot segment ".." is not allowed'],
    ['/images/./x', 'dot segment "." is not allowed'],
    ['/images/a%2Fb', 'character "%" is not allowed (literal segments use unreserved characters A-Z a-z 0-9 - . _ ~)'],
    ['/images/a:b', 'character ":" is not allowed (literal segments use unreserved characters A-Z a-z 0-9 - . _ ~)'],
    ['/images/{id}x', 'parameter must be a whole segment, got "{id}x"'],
    ['/images/{1d}', 'bad parameter name "{1d}" (letters, digits and "_", not starting with a digit)'],
    ['/v2.1/limits', 'starts with "/v2.1": write the path inside the API, without version or project id (e.g. "/images/{image_id}/metadata")'],
    ['/limits.json', 'last segment "limits.json" carries a format suffix: write it without; ".json" and ".xml" are matched automatically'],
    ['/cafe/x', 'first segment "cafe" would be read as a project id by Nova\'s router, so it can never match'],
  ])('%s', (template, why) => {
    const e = onlyError(withRules(`
  - id: r1
    match:
      methods: [GET]
      path: "${template}"
      versions: ">=2.39"
    actions:
      - headers: { Deprecation: "true" }
`));
    expect(e.text).toBe(`rules/f1.yaml:7:13: rule "r1": bad path template "${template}": ${why}`);
  });
});

describe('duplicate rule ids', () => {
  it('within a file: the second is refused, naming the first', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions: [{ headers: { Deprecation: "true" } }]
  - id: r1
    match: { methods: [GET], path: /flavors, versions: ">=2.39" }
    actions: [{ headers: { Deprecation: "true" } }]
`));
    expect(e.text).toBe('rules/f1.yaml:7:9: rule "r1": duplicate rule id "r1" (first defined at rules/f1.yaml:4:9)');
  });

  it('across files', () => {
    const rule = `
  - id: shared-id
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions: [{ headers: { Deprecation: "true" } }]
`;
    const errors = errorsOf(withRules(rule), withRules(rule, '2.40'));
    expect(errors.map((e) => e.text)).toEqual([
      'rules/f2.yaml:4:9: rule "shared-id": duplicate rule id "shared-id" (first defined at rules/f1.yaml:4:9)',
    ]);
  });
});

describe('actions that cannot apply to their match', () => {
  it('a body action on a method without a body', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET, DELETE], path: "/images/{id}/metadata", versions: "<2.39" }
    actions:
      - precheck: { count: /metadata, limit: { value: 3 }, status: 403, message: Too many }
`));
    expect(e.text).toBe('rules/f1.yaml:7:9: rule "r1": precheck works on the request body, but GET, DELETE have none (use POST, PUT or PATCH)');
  });

  it('remove together with respond', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - respond: { status: 404 }
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
      - headers: { Deprecation: "true" }
`));
    expect(e.text).toBe(
      'rules/f1.yaml:7:18: rule "r1": a remove action cannot apply in a rule that responds: the request is never forwarded (only headers can join respond)',
    );
  });

  it('headers together with respond is fine', () => {
    expect(
      compile(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - respond: { status: 404 }
      - headers: { Deprecation: "true" }
`)).ok,
    ).toBe(true);
  });

  it('serverActions on a non-POST method', () => {
    const e = onlyError(withRules(`
  - id: r1
    match:
      methods: [PUT]
      path: /servers/{id}/action
      versions: ">=2.39"
      serverActions: [createImage]
    actions:
      - headers: { Deprecation: "true" }
`));
    expect(e.text).toBe('rules/f1.yaml:9:7: rule "r1": serverActions needs methods [POST] (a server action is POST .../action), got [PUT]');
  });

  it('serverActions on a path not ending in /action', () => {
    const e = onlyError(withRules(`
  - id: r1
    match:
      methods: [POST]
      path: /servers/{id}/metadata
      versions: ">=2.39"
      serverActions: [createImage]
    actions:
      - headers: { Deprecation: "true" }
`));
    expect(e.text).toBe('rules/f1.yaml:9:7: rule "r1": serverActions needs a path ending in "/action", got "/servers/{id}/metadata"');
  });

  it('{action} without serverActions', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [POST], path: "/servers/{id}/action", versions: ">=2.39" }
    actions:
      - remove: { pointers: ["/{action}/metadata"] }
`));
    expect(e.text).toBe(
      'rules/f1.yaml:7:30: rule "r1": "{action}" in a remove pointer needs "serverActions" in match (it is replaced by each action name)',
    );
  });

  it.each([
    ['limits/absolute', 'bad JSON Pointer "limits/absolute": must start with "/" (e.g. "/limits/absolute/maxImageMeta")'],
    ['/a~2b', 'bad JSON Pointer "/a~2b": "~" must be followed by 0 or 1 ("~0" for "~", "~1" for "/")'],
    ['/a/b~', 'bad JSON Pointer "/a/b~": "~" must be followed by 0 or 1 ("~0" for "~", "~1" for "/")'],
    ['/{actoin}/x', 'bad JSON Pointer "/{actoin}/x": unknown placeholder "{actoin}" (the only placeholder is "{action}")'],
    ['/x{action}', 'bad JSON Pointer "/x{action}": "{action}" must be a whole segment, as in "/{action}/metadata"'],
    ['', 'JSON Pointer "" designates the whole document; a remove pointer must name a member'],
  ])('bad JSON Pointer %j', (pointer, message) => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - remove:
          pointers:
            - "${pointer}"
`));
    expect(e.text).toBe(`rules/f1.yaml:9:15: rule "r1": ${message}`);
  });

  it('withhold to image properties on an action that creates no image', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [POST], path: "/servers/{id}/action", versions: ">=2.39", serverActions: [createImage, os-start] }
    actions:
      - withhold: { member: "/{action}/metadata", writeTo: image-properties }
`));
    expect(e.text).toBe(
      'rules/f1.yaml:7:60: rule "r1": writeTo image-properties needs an action that creates an image: set match.serverActions to createImage and/or createBackup (not "os-start")',
    );
  });

  it('a rule for /v2 only whose range excludes 2.1 can never match', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39", apis: [v2] }
    actions: [{ headers: { Deprecation: "true" } }]
`));
    expect(e.text).toBe(
      'rules/f1.yaml:5:71: rule "r1": rule can never match: the legacy /v2 API is matched as version 2.1, which versions ">=2.39" excludes',
    );
  });

  it('two actions of one kind', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
      - remove: { pointers: [/limits/absolute/maxPersonality] }
`));
    expect(e.text).toBe('rules/f1.yaml:8:9: rule "r1": duplicate remove action (a rule has at most one of each kind: merge them)');
  });
});

describe('respond and precheck statuses', () => {
  it.each([[302], [600], [200]])('status %d is outside 400–599', (status) => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - respond: { status: ${status} }
`));
    expect(e.text).toBe(`rules/f1.yaml:7:28: rule "r1": "status" in respond action is ${status}, must be between 400 and 599`);
  });

  it('a status without a default text needs a message', () => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - respond: { status: 418 }
`));
    expect(e.text).toBe('rules/f1.yaml:7:28: rule "r1": respond status 418 has no default fault text: add "message"');
  });

  it('a status without a default text is fine with a message', () => {
    expect(
      compile(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - respond: { status: 418, message: "I'm a teapot" }
`)).ok,
    ).toBe(true);
  });
});

describe('headers', () => {
  it.each([
    ['"Bad Name": x', 7, 20, 'header name "Bad Name" is not an HTTP token (letters, digits and !#$%&\'*+-.^_`|~)'],
    ['"Sunset": " padded"', 7, 30, 'value of header "Sunset" is not a legal HTTP field value (visible characters, inner spaces or tabs, no line breaks, no leading/trailing whitespace)'],
    ['"Link": "a\\nb"', 7, 28, 'value of header "Link" is not a legal HTTP field value (visible characters, inner spaces or tabs, no line breaks, no leading/trailing whitespace)'],
    ['"Content-Length": "3"', 7, 20, 'header "Content-Length" is managed by the gateway and cannot be set by a rule'],
    ['"OpenStack-API-Version": "compute 2.39"', 7, 20, 'header "OpenStack-API-Version" is managed by the gateway and cannot be set by a rule'],
    ['Sunset: a, sunset: b', 7, 31, 'header "sunset" repeats "Sunset" (names are case-insensitive)'],
  ])('%s', (headers, line, column, message) => {
    const e = onlyError(withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - headers: { ${headers} }
`));
    expect(e.text).toBe(`rules/f1.yaml:${line}:${column}: rule "r1": ${message}`);
  });
});

describe('all or nothing', () => {
  it('one bad file refuses the whole set and lists every error in reading order', () => {
    const good = withRules(LIMITS_RULE);
    const bad = withRules(`
  - id: r9
    match: { methods: [GET], path: /flavors, versions: "~2.39" }
    actions:
      - respond: { status: 404 }
  - id: r10
    match: { methods: [GET], path: /flavors, versions: ">=2.40" }
    actions:
      - respond: { status: 302 }
`, '2.40');
    const errors = errorsOf(good, bad);
    expect(errors.map((e) => `${e.file}:${e.line} ${e.ruleId}`)).toEqual(['rules/f2.yaml:5 r9', 'rules/f2.yaml:11 r10']);
  });

  it('errors carry no rule id outside rules', () => {
    const e = onlyError('microversion: "2.39"\ntitle: T\nrules: []\nexamples: [{ name: x, request: { method: GET, path: / }, expect: {} }]\n');
    expect(e.ruleId).toBeUndefined();
    expect(e.text).toBe('rules/f1.yaml:4:66: "expect" in example must have at least 1 key');
  });
});

describe('warnings (the set still loads)', () => {
  it('a file without rules, and a /v2 half that can never match', () => {
    const r = compile(
      'microversion: "2.40"\ntitle: T\nrules: []\n',
      withRules(`
  - id: r1
    match: { methods: [GET], path: /limits, versions: ">=2.39", apis: [v2.1, v2] }
    actions: [{ headers: { Deprecation: "true" } }]
`),
    );
    expect(r).toMatchObject({
      ok: true,
      warnings: [
        'rules/f1.yaml:3:8: the file introduces 2.40 without rules',
        'rules/f2.yaml:5:71: rule "r1": apis lists v2, but the legacy /v2 API is matched as version 2.1, which versions ">=2.39" excludes',
      ],
    });
  });
});
