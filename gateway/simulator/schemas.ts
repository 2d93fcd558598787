/**
 * Nova's request schemas for the operations the simulator serves, in Nova's key order
 * (nova/api/validation/parameter_types.py, compute/schemas/{image_metadata,servers,
 * create_backup,reset_server_state}.py), and the 'name' format checkers.
 */
import type { FormatCheck, Schema } from './validation';
import { pySearch } from './validation';

export const METADATA_KEY_PATTERN = '^[a-zA-Z0-9-_:. ]{1,255}$';

const metadata: Schema = {
  type: 'object',
  patternProperties: {
    [METADATA_KEY_PATTERN]: { type: 'string', maxLength: 255 },
  },
  additionalProperties: false,
};

const singleMetadata: Schema = { ...metadata, minProperties: 1, maxProperties: 1 };

const name: Schema = { type: 'string', minLength: 1, maxLength: 255, format: 'name' };

const nameWithLeadingTrailingSpaces: Schema = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  format: 'name_with_leading_trailing_spaces',
};

const nonNegativeInteger: Schema = {
  type: ['integer', 'string'],
  pattern: '^[0-9]*$',
  minimum: 0,
  minLength: 1,
};

export const imageMetadataCreate: Schema = {
  type: 'object',
  properties: { metadata },
  required: ['metadata'],
  additionalProperties: false,
};

export const imageMetadataUpdateAll = imageMetadataCreate;

export const imageMetadataUpdate: Schema = {
  type: 'object',
  properties: { meta: singleMetadata },
  required: ['meta'],
  additionalProperties: false,
};

export const createImage: Schema = {
  type: 'object',
  properties: {
    createImage: {
      type: 'object',
      properties: { name, metadata },
      required: ['name'],
      additionalProperties: false,
    },
  },
  required: ['createImage'],
  additionalProperties: false,
};

function createBackupSchema(nameSchema: Schema): Schema {
  return {
    type: 'object',
    properties: {
      createBackup: {
        type: 'object',
        properties: {
          name: nameSchema,
          backup_type: { type: 'string' },
          rotation: nonNegativeInteger,
          metadata,
        },
        required: ['name', 'backup_type', 'rotation'],
        additionalProperties: false,
      },
    },
    required: ['createBackup'],
    additionalProperties: false,
  };
}

export const createBackup = createBackupSchema(name);
/** The '2.0' schema used for legacy /v2 requests: names may have surrounding spaces. */
export const createBackupV20 = createBackupSchema(nameWithLeadingTrailingSpaces);

export const resetState: Schema = {
  type: 'object',
  properties: {
    'os-resetState': {
      type: 'object',
      properties: { state: { type: 'string', enum: ['active', 'error'] } },
      required: ['state'],
      additionalProperties: false,
    },
  },
  required: ['os-resetState'],
  additionalProperties: false,
};

// ---------------------------------------------------------------------------------------
// 'name' formats: printable characters (Python's unicodedata categories, code points
// below U+FFFF only, as _build_regex_range enumerates), no leading/trailing whitespace.

const NOT_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;
const SPACE_SEPARATOR = /\p{Zs}/u;

function printable(ch: string): boolean {
  return (ch.codePointAt(0) as number) < 0xffff && !NOT_PRINTABLE.test(ch);
}

function isSpace(ch: string): boolean {
  return SPACE_SEPARATOR.test(ch);
}

/** Python's `$` also matches before one trailing "\n": drop it before checking. */
function withoutFinalNewline(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

const INVALID_NAME = "An invalid 'name' value was provided. The name must be: ";

const checkName: FormatCheck = (instance) => {
  const reason = `${INVALID_NAME}printable characters. Can not start or end with whitespace.`;
  if (typeof instance !== 'string') return reason;
  const chars = [...withoutFinalNewline(instance)];
  if (!chars.every(printable)) return reason;
  if (chars.length > 0 && (isSpace(chars[0]) || isSpace(chars[chars.length - 1]))) return reason;
  return undefined;
};

const checkNameWithSpaces: FormatCheck = (instance) => {
  const reason = `${INVALID_NAME}printable characters with at least one non space character`;
  if (typeof instance !== 'string') return reason;
  const chars = [...withoutFinalNewline(instance)];
  if (!chars.every(printable) || !chars.some((c) => !isSpace(c))) return reason;
  return undefined;
};

export const NAME_FORMATS: Readonly<Record<string, FormatCheck>> = {
  name: checkName,
  name_with_leading_trailing_spaces: checkNameWithSpaces,
};

export function isValidMetadataKey(key: string): boolean {
  return pySearch(METADATA_KEY_PATTERN, key);
}
