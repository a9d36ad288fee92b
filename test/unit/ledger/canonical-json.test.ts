import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastCanonicalJson, parseWithCanonicalJson } from '#domain/ledger/fast-canonical-json.ts';

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
