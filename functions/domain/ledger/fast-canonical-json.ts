const SURROGATE = /[\uD800-\uDFFF]/;
/** Characters JSON.stringify would escape (or check): quotes, backslash, controls, surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON escapes.
const NEEDS_CARE = /["\\\u0000-\u001F\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** In JSON text, any string needing escapes shows a backslash; astral characters show surrogates. */
const JSON_TEXT_NEEDS_CARE = /[\\\uD800-\uDFFF]/;

function quote(value: string, plain: boolean): string {
  if (plain || !NEEDS_CARE.test(value)) return `"${value}"`;
  if (SURROGATE.test(value) && LONE_SURROGATE.test(value))
    throw new TypeError('Lone surrogate is not allowed');
  return JSON.stringify(value);
}

function primitive(value: unknown, plain: boolean): string {
  if (typeof value === 'string') return quote(value, plain);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} is not allowed in canonical JSON`);
    // ECMAScript Number::toString, which both JSON.stringify and RFC 8785 use.
    return String(value);
  }
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new TypeError(`a ${typeof value} is not a JSON value`);
}

interface Shape {
  /** The keys as the object listed them: the shape's identity. */
  readonly own: readonly string[];
  /** Keys in RFC 8785 order (UTF-16 code units, which is what the default sort compares). */
  readonly keys: readonly string[];
  /** `"key":` for each, escaped as JSON requires. */
  readonly prefixes: readonly string[];
}

/**
 * Ledger items come in a handful of shapes; sorting and quoting their keys once per shape saves
 * a third of the work. Shapes are bucketed by key count and first key and matched key by key.
 */
const shapes = new Map<string, Shape[]>();
const MAX_SHAPES = 4096;
let shapeCount = 0;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

function shapeOf(record: Record<string, unknown>): Shape {
  const own = Object.keys(record);
  const bucketId = `${own.length}:${own[0] ?? ''}`;
  const bucket = shapes.get(bucketId);
  if (bucket !== undefined) {
    for (const shape of bucket) if (sameKeys(shape.own, own)) return shape;
  }
  const keys = [...own].sort();
  const shape: Shape = { own, keys, prefixes: keys.map((key) => `${quote(key, false)}:`) };
  if (shapeCount < MAX_SHAPES) {
    shapeCount += 1;
    if (bucket === undefined) shapes.set(bucketId, [shape]);
    else bucket.push(shape);
  }
  return shape;
}

function serialise(value: unknown, skipKey: string | undefined, plain: boolean): string {
  if (typeof value !== 'object' || value === null) return primitive(value, plain);
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      if (index > 0) out += ',';
      out += item === undefined ? 'null' : serialise(item, undefined, plain);
    }
    return `${out}]`;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError(`a ${value.constructor?.name ?? 'non-plain'} object is not a JSON value`);
  }
  const record = value as Record<string, unknown>;
  const { keys, prefixes } = shapeOf(record);
  let out = '{';
  let first = true;
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index] as string;
    if (key === skipKey) continue;
    const member = record[key];
    if (member === undefined) continue;
    out += `${first ? '' : ','}${prefixes[index]}${serialise(member, undefined, plain)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * RFC 8785 canonical JSON for plain JSON data (what JSON.parse or the DynamoDB unmarshaller
 * returns), optionally leaving out one top-level member. The `canonicalize` package is the
 * reference used when entries are written; this is the allocation-light twin for verify's hot
 * loop (no cycle tracking, one string builder per object, escaping only where a string needs it).
 * A property test holds the two byte-identical, and verify falls back to `canonicalize` before
 * it ever reports a mismatch. Anything that is not plain JSON data throws.
 */
export function fastCanonicalJson(value: unknown, omitTopLevelKey?: string): string {
  return serialise(value, omitTopLevelKey, false);
}

/**
 * Parses one JSON text and returns the value with its canonical JSON (minus `omitTopLevelKey`).
 * When the text holds no backslash and no surrogate, no string in it can need escaping, so
 * strings are quoted without being scanned one by one.
 */
export function parseWithCanonicalJson(
  text: string,
  omitTopLevelKey?: string,
): { value: unknown; canonical: string } {
  const value: unknown = JSON.parse(text);
  return { value, canonical: serialise(value, omitTopLevelKey, !JSON_TEXT_NEEDS_CARE.test(text)) };
}
