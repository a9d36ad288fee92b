import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CanonicalTextScanner,
  fastCanonicalJson,
  parseWithCanonicalJson,
} from '#domain/ledger/fast-canonical-json.ts';
import { canonicalJson } from '#domain/ledger/hash.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { opportunityStory } from './sample-entries.ts';

const jsonData = fc.jsonValue({ maxDepth: 4 });

describe('fast canonical JSON', () => {
  it('produces exactly the bytes of the canonicalize package for any JSON data', () => {
    fc.assert(
      fc.property(jsonData, (value) => {
        expect(fastCanonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('canonicalises JSON text exactly like canonicalize of the parsed value, escapes or not', () => {
    fc.assert(
      fc.property(jsonData, fc.boolean(), (value, indent) => {
        const text = JSON.stringify(value, null, indent ? 2 : undefined);
        expect(parseWithCanonicalJson(text).canonical).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
    expect(parseWithCanonicalJson('{"b":"say \\"hi\\"","a":"\\u00e9\\n"}').canonical).toBe(
      '{"a":"é\\n","b":"say \\"hi\\""}',
    );
  });

  it('leaves out only the named top-level member', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), jsonData), jsonData, (record, hash) => {
        const { hash: _ignored, ...rest } = record;
        expect(fastCanonicalJson({ ...record, hash }, 'hash')).toBe(canonicalize(rest));
      }),
    );
  });

  it('sorts keys by UTF-16 code units and writes numbers the ECMAScript way (RFC 8785 examples)', () => {
    expect(
      fastCanonicalJson({ '\u20ac': 'Euro', '\r': 'CR', '1': 1, '\ud83d\ude00': 'smiley', '\u00f6': 'o' }),
    ).toBe('{"\\r":"CR","1":1,"ö":"o","€":"Euro","😀":"smiley"}');
    expect(fastCanonicalJson([1e21, 1e-7, -0, 0.1 + 0.2, 333333333.3333333])).toBe(
      '[1e+21,1e-7,0,0.30000000000000004,333333333.3333333]',
    );
  });

  it('never confuses objects whose keys join to the same text', () => {
    const objects = [
      {},
      { '': 1 },
      { a: 1, b: 2 },
      { 'a\u0000b': 1 },
      { 'a\u0000b': 1, c: 2 },
      { a: 1, 'b\u0000c': 2 },
    ];

    for (const value of [...objects, ...objects]) expect(fastCanonicalJson(value)).toBe(canonicalize(value));
  });

  it('refuses what canonical JSON cannot carry', () => {
    expect(() => fastCanonicalJson({ a: Number.NaN })).toThrow();
    expect(() => fastCanonicalJson({ a: '\ud800' })).toThrow(/surrogate/);
    expect(() => fastCanonicalJson({ a: new Set([1]) })).toThrow(/not a JSON value/);
  });
});

describe('canonical text scanner', () => {
  const wanted = ['hash', 'opportunityId', 'sequence'];
  const key = fc.oneof(fc.constantFrom(...wanted), fc.string({ maxLength: 6 }));
  const jsonObject = fc.dictionary(key, jsonData, { maxKeys: 8 });
  /** Texts of JSON objects: canonical, in insertion order, indented, or canonical with one byte changed. */
  const jsonTexts = fc.oneof(
    jsonObject.map((value) => canonicalize(value) as string),
    jsonObject.map((value) => JSON.stringify(value)),
    jsonObject.map((value) => JSON.stringify(value, null, 1)),
    fc.tuple(jsonObject, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([value, at, byte]) => {
      const bytes = Buffer.from(canonicalize(value) as string);
      bytes[at % bytes.length] = byte;
      return bytes.toString('latin1');
    }),
  );

  /** What the scanner claims when it accepts: the text is what canonicalisation makes of it, with or without each member. */
  function assertClaims(bytes: Buffer, scanner: CanonicalTextScanner): void {
    const parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    expect(bytes.toString('utf8')).toBe(canonicalize(parsed));
    wanted.forEach((key, index) => {
      const start = scanner.valueStart[index] as number;
      if (!Object.hasOwn(parsed, key)) {
        expect(start).toBe(-1);
        return;
      }
      expect(JSON.parse(bytes.toString('utf8', start, scanner.valueEnd[index]))).toEqual(parsed[key]);
      const { [key]: _left, ...rest } = parsed;
      const cut = Buffer.concat([
        bytes.subarray(0, scanner.cutStart[index]),
        bytes.subarray(scanner.cutEnd[index]),
      ]);
      expect(cut.toString('utf8')).toBe(canonicalize(rest));
    });
  }

  it('accepts a text only when canonicalising it changes nothing, and locates the wanted members', () => {
    const scanner = new CanonicalTextScanner(wanted);
    let accepted = 0;
    fc.assert(
      fc.property(jsonTexts, fc.boolean(), (text, asLatin1) => {
        const bytes = Buffer.from(text, asLatin1 ? 'latin1' : 'utf8');
        if (scanner.scan(bytes, 0, bytes.length)) {
          accepted += 1;
          assertClaims(bytes, scanner);
        }
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it('scans within a range of a larger buffer without reading the rest as part of it', () => {
    const scanner = new CanonicalTextScanner(wanted);
    const bytes = Buffer.from('xx{"a":"b","hash":"h"}{"c":1}\n');

    expect(scanner.scan(bytes, 2, 22)).toBe(true);
    expect(bytes.toString('utf8', scanner.cutStart[0], scanner.cutEnd[0])).toBe(',"hash":"h"');
    expect(scanner.scan(bytes, 2, 21)).toBe(false);
    expect(scanner.scan(Buffer.from('{"a":"unclosed\n"}'), 0, 10)).toBe(false);
  });

  it('accepts the canonical text of every ledger entry type and finds its hash member', () => {
    const scanner = new CanonicalTextScanner(wanted);
    const inputs = opportunityStory('opp-7', 7).map(parseEntryInput);
    let head: ReturnType<typeof sealEntry> | undefined;
    for (const input of inputs) {
      head = sealEntry(input, head, new Date('2026-09-30T00:00:00Z'));
      const bytes = Buffer.from(canonicalJson(head));

      expect(scanner.scan(bytes, 0, bytes.length)).toBe(true);
      assertClaims(bytes, scanner);
    }
  });

  it('refuses texts whose canonical form differs or that it cannot prove canonical', () => {
    const scanner = new CanonicalTextScanner(wanted);
    const refused = [
      '{"b":1,"a":2}',
      '{"a":1,"a":2}',
      '{ "a":1}',
      '{"a":1.5}',
      '{"a":1e3}',
      '{"a":-0}',
      '{"a":01}',
      '{"a":1234567890123456}',
      '{"a":"line\\nbreak"}',
      '{"é":1}',
      '{"a":tru}',
      '[1]',
      '"text"',
      '{"a":1}x',
      '{"a":{"c":1,"b":2}}',
      '{"a":[1,]}',
    ];
    for (const text of refused)
      expect(scanner.scan(Buffer.from(text), 0, Buffer.byteLength(text)), text).toBe(false);
    // A UTF-8 encoded lone surrogate and a truncated sequence are not valid UTF-8.
    for (const bytes of [
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d]),
    ])
      expect(scanner.scan(bytes, 0, bytes.length)).toBe(false);
    for (const text of ['{}', '{"a":[],"b":{},"c":[{"d":null}]}', '{"a":"é😀","b":-12,"c":true}'])
      expect(scanner.scan(Buffer.from(text), 0, Buffer.byteLength(text)), text).toBe(true);
  });
});
