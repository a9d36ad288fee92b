import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateKeys } from '#domain/policy/duplicate-keys.ts';

/** A JSON value written member by member, so an object may name a key more than once. */
type Tree =
  | { readonly kind: 'leaf'; readonly value: null | boolean | number | string }
  | { readonly kind: 'array'; readonly items: readonly Tree[] }
  | { readonly kind: 'object'; readonly members: readonly (readonly [string, Tree])[] };

// Few names, so that objects often repeat one; some need escaping or bracket paths.
const keyArbitrary = fc.constantFrom('a', 'b', 'rules', 'x-y', '', 'a.b', 'q"uote', 'é', '{', '[0]');
const leafArbitrary = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('{', '}', '[', ']', ',', '"', '\\', '\\"', ':', '\n'),
);
const { tree: treeArbitrary } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArbitrary.map((value): Tree => ({ kind: 'leaf', value })),
    fc.array(tie('tree'), { maxLength: 4 }).map((items): Tree => ({ kind: 'array', items })),
    fc
      .array(fc.tuple(keyArbitrary, tie('tree')), { maxLength: 5 })
      .map((members): Tree => ({ kind: 'object', members })),
  ),
}));
/** Whitespace JSON allows between tokens, newlines included. */
const spaceArbitrary = fc.constantFrom('', ' ', '\n', '\r\n', '\t', '\n  ');

/** Writes a tree as JSON text, with whitespace from `spaces` between tokens; keys sometimes \u-escaped. */
function write(tree: Tree, spaces: () => string, escapeKeys: () => boolean): string {
  switch (tree.kind) {
    case 'leaf':
      return JSON.stringify(tree.value);
    case 'array':
      return `[${spaces()}${tree.items.map((item) => write(item, spaces, escapeKeys)).join(`,${spaces()}`)}${spaces()}]`;
    case 'object':
      return `{${spaces()}${tree.members
        .map(([key, value]) => {
          const name = escapeKeys()
            ? `"${[...key].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
            : JSON.stringify(key);
          return `${name}${spaces()}:${spaces()}${write(value, spaces, escapeKeys)}`;
        })
        .join(`,${spaces()}`)}${spaces()}}`;
  }
}

/** The path a key gets in the detector's report, computed from the tree independently of the text. */
function pathOf(parent: string, key: string): string {
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** The model: every key an object names more than once, with how many times. */
function expectedDuplicates(tree: Tree, path = ''): string[] {
  if (tree.kind === 'leaf') return [];
  if (tree.kind === 'array')
    return tree.items.flatMap((item, index) => expectedDuplicates(item, `${path}[${index}]`));
  const counts = new Map<string, number>();
  for (const [key] of tree.members) counts.set(key, (counts.get(key) ?? 0) + 1);
  // JSON.parse keeps the last value of a repeated key; its path is the one the value lives under.
  const inner = tree.members.flatMap(([key, value]) => expectedDuplicates(value, pathOf(path, key)));
  const here = [...counts]
    .filter(([, count]) => count > 1)
    .map(([key, count]) => `${pathOf(path, key)}×${count}`);
  return [...inner, ...here];
}

describe('findDuplicateKeys', () => {
  it('names a key an object sets twice, with its path and both lines', () => {
    const text = ['{', '  "routing": { "rules": [] },', '  "sla": {},', '  "routing": {}', '}'].join('\n');
    expect(findDuplicateKeys(text)).toEqual([{ path: 'routing', lines: [2, 4] }]);
  });

  it('names a key repeated inside a rule by its path through the list', () => {
    const text = '{"routing":{"rules":[{"when":{}},\n{"firstApprover":"a",\n"firstApprover":"b"}]}}';
    expect(findDuplicateKeys(text)).toEqual([{ path: 'routing.rules[1].firstApprover', lines: [2, 3] }]);
  });

  it('treats an escaped spelling of a key as the same key, as JSON.parse does', () => {
    expect(findDuplicateKeys('{"sla":1,"\\u0073la":2}')).toEqual([{ path: 'sla', lines: [1, 1] }]);
  });

  it('does not take a key-like string value for a key', () => {
    expect(findDuplicateKeys('{"a":"a","b":["a","a"],"c":"}{\\"a\\":"}')).toEqual([]);
  });

  it('lists every time a key is set, and the same name in two objects is no duplicate', () => {
    expect(findDuplicateKeys('{"a":{"x":1},"b":{"x":2},"a":3,\n"a":4}')).toEqual([
      { path: 'a', lines: [1, 1, 2] },
    ]);
  });

  it('handles nesting far deeper than the call stack allows', () => {
    const depth = 100_000;
    const text = `${'{"a":'.repeat(depth)}{"k":1,"k":2}${'}'.repeat(depth)}`;
    expect(findDuplicateKeys(text)).toEqual([{ path: `${'a.'.repeat(depth)}k`, lines: [1, 1] }]);
  });

  it('finds exactly the keys repeated within one object, in any valid JSON text', () => {
    fc.assert(
      fc.property(
        treeArbitrary,
        fc.infiniteStream(spaceArbitrary),
        fc.infiniteStream(fc.boolean()),
        (tree, spaceStream, escapeStream) => {
          const spaces = spaceStream[Symbol.iterator]();
          const escapes = escapeStream[Symbol.iterator]();
          const text = write(
            tree,
            () => spaces.next().value as string,
            () => escapes.next().value as boolean,
          );
          expect(() => JSON.parse(text)).not.toThrow();
          const found = findDuplicateKeys(text).map(({ path, lines }) => `${path}×${lines.length}`);
          expect(found.sort()).toEqual(expectedDuplicates(tree).sort());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('finds nothing in the text JSON.stringify writes of any value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(findDuplicateKeys(JSON.stringify(value, null, 2))).toEqual([]);
      }),
    );
  });
});
