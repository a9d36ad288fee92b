import { isUtf8 } from 'node:buffer';

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
 * a third of the work. Shapes are bucketed by first key and matched key by key.
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
  const bucketId = own[0] ?? '';
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

/** Top-level keys to leave out: none, one, or a few (the members an entry's hash does not cover). */
type Omitted = string | readonly string[] | undefined;

function omits(omitted: Omitted, key: string): boolean {
  return typeof omitted === 'string' ? key === omitted : omitted?.includes(key) === true;
}

function serialise(value: unknown, skipKey: Omitted, plain: boolean): string {
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
    if (skipKey !== undefined && omits(skipKey, key)) continue;
    const member = record[key];
    if (member === undefined) continue;
    out += `${first ? '' : ','}${prefixes[index]}${serialise(member, undefined, plain)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * RFC 8785 canonical JSON for plain JSON data (what JSON.parse or the DynamoDB unmarshaller
 * returns), optionally leaving out top-level members. The `canonicalize` package is the
 * reference used when entries are written; this is the allocation-light twin for verify's hot
 * loop (no cycle tracking, one string builder per object, escaping only where a string needs it).
 * A property test holds the two byte-identical, and verify falls back to `canonicalize` before
 * it ever reports a mismatch. Anything that is not plain JSON data throws.
 */
export function fastCanonicalJson(value: unknown, omitTopLevelKey?: string | readonly string[]): string {
  return serialise(value, omitTopLevelKey, false);
}

/**
 * Parses one JSON text and returns the value with its canonical JSON (minus `omitTopLevelKey`).
 * When the text holds no backslash and no surrogate, no string in it can need escaping, so
 * strings are quoted without being scanned one by one. A caller that has already checked the
 * bytes of the text says so with `plain` (true: neither is present), sparing the search.
 */
export function parseWithCanonicalJson(
  text: string,
  omitTopLevelKey?: string | readonly string[],
  plain: boolean = !JSON_TEXT_NEEDS_CARE.test(text),
): { value: unknown; canonical: string } {
  const value: unknown = JSON.parse(text);
  return { value, canonical: serialise(value, omitTopLevelKey, plain) };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_DEPTH = 32;
/** Integers of up to 15 digits are below 2^53, so their text is their ECMAScript Number::toString. */
const MAX_INTEGER_DIGITS = 15;
const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];
/** What a byte inside a string is: plain ASCII, the closing quote, refused, or part of a UTF-8 sequence. */
const PLAIN = 0;
const CLOSING_QUOTE = 1;
const REFUSED = 2;
const BEYOND_ASCII = 3;
const STRING_BYTE = new Uint8Array(256).map((_, byte) =>
  byte === QUOTE
    ? CLOSING_QUOTE
    : byte < 0x20 || byte === BACKSLASH
      ? REFUSED
      : byte >= 0x80
        ? BEYOND_ASCII
        : PLAIN,
);

/** Byte order of two ASCII keys is their UTF-16 code unit order: is [s, e) strictly after [ps, pe)? */
function keyFollows(bytes: Uint8Array, s: number, e: number, ps: number, pe: number): boolean {
  const shorter = Math.min(e - s, pe - ps);
  for (let k = 0; k < shorter; k += 1) {
    const difference = (bytes[s + k] as number) - (bytes[ps + k] as number);
    if (difference !== 0) return difference > 0;
  }
  return e - s > pe - ps;
}

function sameBytes(bytes: Uint8Array, s: number, e: number, expected: Uint8Array): boolean {
  if (e - s !== expected.length) return false;
  for (let k = 0; k < expected.length; k += 1) if (bytes[s + k] !== expected[k]) return false;
  return true;
}

/**
 * Proves that a JSON text (UTF-8 bytes) is already in RFC 8785 canonical form, without parsing
 * it into objects, and finds chosen top-level members in it. `ledger export` writes every entry
 * canonically, so verify can hash the text it read instead of rebuilding it.
 *
 * Accepted only when canonicalisation provably leaves the text unchanged: a top-level object;
 * no whitespace outside strings; object keys ASCII and strictly ascending (UTF-16 order, so no
 * duplicates); strings with no escape, no control character and valid UTF-8 (so no lone
 * surrogate); numbers only as integers of at most 15 digits, never `-0`; `true`, `false`, `null`.
 * Anything else — escapes, fractions, exponents, big integers, other key orders — is refused,
 * and the caller takes the general path (parse, then `fastCanonicalJson`). Removing one
 * top-level member from a canonical object leaves a canonical object, which is what `cutStart`
 * and `cutEnd` delimit.
 */
export class CanonicalTextScanner {
  readonly #wanted: readonly Uint8Array[];
  /** Per wanted key, `[valueStart, valueEnd)` of its top-level value token (quotes included), or -1. */
  readonly valueStart: Int32Array;
  readonly valueEnd: Int32Array;
  /** Per wanted key, the bytes to cut (the member and the comma joining it) to leave it out. */
  readonly cutStart: Int32Array;
  readonly cutEnd: Int32Array;
  /** Whether the last text scanned holds any byte beyond ASCII. */
  nonAscii = false;
  readonly #inArray = new Uint8Array(MAX_DEPTH);
  readonly #keyStart = new Int32Array(MAX_DEPTH);
  readonly #keyEnd = new Int32Array(MAX_DEPTH);

  /** @param topLevelKeys the ASCII keys whose top-level members `scan` locates. */
  constructor(topLevelKeys: readonly string[]) {
    this.#wanted = topLevelKeys.map((key) => Buffer.from(key, 'latin1'));
    this.valueStart = new Int32Array(topLevelKeys.length);
    this.valueEnd = new Int32Array(topLevelKeys.length);
    this.cutStart = new Int32Array(topLevelKeys.length);
    this.cutEnd = new Int32Array(topLevelKeys.length);
  }

  /** True when `bytes[start, end)` is one canonical JSON object; the member spans are then set. */
  scan(bytes: Uint8Array, start: number, end: number): boolean {
    this.valueStart.fill(-1);
    this.valueEnd.fill(-1);
    this.nonAscii = false;
    if (end - start < 2 || bytes[start] !== OPEN_OBJECT) return false;
    let nonAscii = false;
    let depth = 0;
    let i = start;
    /** The wanted key (index) of the top-level member being read, or -1. */
    let member = -1;
    let memberFirst = false;
    let memberStart = 0;
    for (;;) {
      // A value starts at i.
      if (i >= end) return false;
      const first = bytes[i] as number;
      if (first === QUOTE) {
        i += 1;
        for (;;) {
          // Reading past `end` is harmless: the check below refuses a string that is not closed in time.
          let kind = STRING_BYTE[bytes[i] as number];
          while (kind === PLAIN) kind = STRING_BYTE[bytes[++i] as number];
          if (kind === BEYOND_ASCII) {
            nonAscii = true;
            i += 1;
            continue;
          }
          if (kind !== CLOSING_QUOTE || i >= end) return false;
          break;
        }
        i += 1;
      } else if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
        const inArray = first === OPEN_ARRAY;
        i += 1;
        if (i < end && bytes[i] === (inArray ? CLOSE_ARRAY : CLOSE_OBJECT)) {
          i += 1;
        } else {
          if (depth === MAX_DEPTH) return false;
          this.#inArray[depth] = inArray ? 1 : 0;
          this.#keyEnd[depth] = -1;
          depth += 1;
          if (inArray) continue;
          i = this.#key(bytes, i, end, depth);
          if (i < 0) return false;
          if (depth === 1) {
            member = this.#wantedAt(bytes, this.#keyStart[0] as number, this.#keyEnd[0] as number);
            memberFirst = true;
            memberStart = (this.#keyStart[0] as number) - 1;
            if (member !== -1) this.valueStart[member] = i;
          }
          continue;
        }
      } else if (first === MINUS || (first >= ZERO && first <= NINE)) {
        const negative = first === MINUS;
        if (negative) i += 1;
        const leading = i < end ? (bytes[i] as number) : -1;
        if (leading === ZERO) {
          if (negative) return false;
          i += 1;
        } else if (leading > ZERO && leading <= NINE) {
          const digitsStart = i;
          while (i < end && (bytes[i] as number) >= ZERO && (bytes[i] as number) <= NINE) i += 1;
          if (i - digitsStart > MAX_INTEGER_DIGITS) return false;
        } else {
          return false;
        }
        // A fraction or exponent would follow here; the separator check below refuses it.
      } else {
        const literal =
          first === 0x74
            ? LITERALS[0]
            : first === 0x66
              ? LITERALS[1]
              : first === 0x6e
                ? LITERALS[2]
                : undefined;
        if (literal === undefined || !sameBytes(bytes, i, Math.min(end, i + literal.length), literal))
          return false;
        i += literal.length;
      }
      // A value ended at i: close containers, then move to the next value (after a key in objects).
      for (;;) {
        if (depth === 0) {
          if (i !== end) return false;
          if (nonAscii && !isUtf8(bytes.subarray(start, end))) return false;
          this.nonAscii = nonAscii;
          return true;
        }
        if (depth === 1 && member !== -1) {
          this.valueEnd[member] = i;
          this.cutStart[member] = memberFirst ? memberStart : memberStart - 1;
          this.cutEnd[member] = memberFirst && bytes[i] === COMMA ? i + 1 : i;
          member = -1;
        }
        if (i >= end) return false;
        const byte = bytes[i] as number;
        const inArray = this.#inArray[depth - 1] === 1;
        if (byte === COMMA) {
          i += 1;
          if (!inArray) {
            i = this.#key(bytes, i, end, depth);
            if (i < 0) return false;
            if (depth === 1) {
              member = this.#wantedAt(bytes, this.#keyStart[0] as number, this.#keyEnd[0] as number);
              memberFirst = false;
              memberStart = (this.#keyStart[0] as number) - 1;
              if (member !== -1) this.valueStart[member] = i;
            }
          }
          break;
        }
        if (byte !== (inArray ? CLOSE_ARRAY : CLOSE_OBJECT)) return false;
        depth -= 1;
        i += 1;
      }
    }
  }

  /** Reads `"key":` at i inside the object at `depth`; returns where its value starts, or -1. */
  #key(bytes: Uint8Array, at: number, end: number, depth: number): number {
    if (bytes[at] !== QUOTE) return -1;
    const keyStart = at + 1;
    let i = keyStart;
    while (STRING_BYTE[bytes[i] as number] === PLAIN) i += 1;
    if (bytes[i] !== QUOTE || i >= end) return -1;
    const level = depth - 1;
    const previousEnd = this.#keyEnd[level] as number;
    if (previousEnd !== -1 && !keyFollows(bytes, keyStart, i, this.#keyStart[level] as number, previousEnd))
      return -1;
    this.#keyStart[level] = keyStart;
    this.#keyEnd[level] = i;
    if (bytes[i + 1] !== COLON) return -1;
    return i + 2;
  }

  #wantedAt(bytes: Uint8Array, s: number, e: number): number {
    for (let index = 0; index < this.#wanted.length; index += 1) {
      if (sameBytes(bytes, s, e, this.#wanted[index] as Uint8Array)) return index;
    }
    return -1;
  }
}
