import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ruleFileSchema } from '../../gateway/rules/schema';

const SCHEMA_FILE = path.join(__dirname, '../../rules/rule-file.schema.json');

/** Walks every subschema that describes an object and yields it with its path. */
function* objectSchemas(schema: any, at = '#'): Generator<[string, any]> {
  if (schema === null || typeof schema !== 'object') return;
  if (schema.type === 'object') yield [at, schema];
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties') for (const [name, s] of Object.entries(v as object)) yield* objectSchemas(s, `${at}/properties/${name}`);
    else if (k === 'items' || k === 'additionalProperties') yield* objectSchemas(v, `${at}/${k}`);
  }
}

describe('rules/rule-file.schema.json', () => {
  it('is the schema assembled from the action definitions (regenerate: UPDATE_RULE_SCHEMA=1 npx jest test/rules/schema)', async () => {
    const generated = JSON.stringify(ruleFileSchema(), null, 2) + '\n';
    if (process.env.UPDATE_RULE_SCHEMA) await fs.writeFile(SCHEMA_FILE, generated);
    expect(await fs.readFile(SCHEMA_FILE, 'utf8')).toBe(generated);
  });

  it('closes every object (additionalProperties false, except the free header maps)', () => {
    for (const [at, s] of objectSchemas(ruleFileSchema())) {
      if (/headers$/.test(at)) {
        expect(typeof s.additionalProperties).toBe('object');
      } else {
        expect([at, s.additionalProperties]).toEqual([at, false]);
      }
    }
  });

  it('describes every property', () => {
    const missing: string[] = [];
    const walk = (s: any, at: string) => {
      if (!s || typeof s !== 'object') return;
      for (const [name, p] of Object.entries<any>(s.properties ?? {})) {
        if (typeof p.description !== 'string' || p.description.length < 5) missing.push(`${at}.${name}`);
        walk(p, `${at}.${name}`);
      }
      if (s.items) walk(s.items, `${at}[]`);
      if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${at}{}`);
    };
    walk(ruleFileSchema(), '$');
    expect(missing).toEqual([]);
  });
});
