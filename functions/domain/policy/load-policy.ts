import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type * as z from 'zod';
import { inCanonicalOrder } from './canonical-order.ts';
import { type DuplicateKey, findDuplicateKeys } from './duplicate-keys.ts';
import { describeValue } from './policy-fields.ts';
import { type Policy, policySchema } from './policy-schema.ts';
import { type PolicyProblem, PolicyValidationError } from './policy-validation-error.ts';

/** A validated policy and the version every verdict, decision and report it governs is stamped with. */
export interface LoadedPolicy {
  readonly policy: Policy;
  /** `pv-` + the first 12 hex digits of SHA-256 over the RFC 8785 canonical JSON of the full policy. */
  readonly policyVersion: string;
}

const expectedWords: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  object: 'a group of settings (a JSON object)',
  record: 'a group of settings (a JSON object)',
  array: 'a list',
};

/**
 * Plain words for the issues the policy's fields do not explain themselves (unknown settings,
 * wrong kinds of value). Field-specific messages take precedence over these.
 */
function plainWords(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${expectedWords[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case 'unrecognized_keys':
      return unknownSettings(issue.keys, knownSettingsOf(issue.inst));
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}, got ${describeValue(issue.input)}`;
    case 'invalid_key':
      return 'is not a valid name: use letters, digits and dashes, such as emea-channel-manager';
    case 'too_small':
      if (issue.origin === 'array') return `must list at least ${issue.minimum} item(s)`;
      return undefined;
    default:
      return undefined;
  }
}

/** The settings an object of the policy takes, when the issue came from one. */
function knownSettingsOf(inst: unknown): readonly string[] {
  const shape = (inst as { _zod?: { def?: { shape?: unknown } } } | undefined)?._zod?.def?.shape;
  return shape !== null && typeof shape === 'object' ? Object.keys(shape) : [];
}

/** Levenshtein distance, case ignored: how many letters to change, add or remove. */
function editDistance(one: string, other: string): number {
  const a = one.toLowerCase();
  const b = other.toLowerCase();
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known setting an unknown one is most likely a misspelling of, if any is close. */
function likelyMeant(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const lower = name.toLowerCase();
    const given = key.toLowerCase();
    // `minAmount` for `minAmountUsd`, `hours` for `workingHours`: a part of the name.
    const distance =
      given.length >= 4 && (lower.startsWith(given) || lower.endsWith(given)) ? 1 : editDistance(key, name);
    if (
      distance <= Math.max(2, Math.floor(name.length / 4)) &&
      (best === undefined || distance < best.distance)
    ) {
      best = { name, distance };
    }
  }
  return best?.name;
}

/**
 * "has a setting Dealreg does not know: "remindHours" (did you mean "reminderHours"?)": each unknown
 * key with the setting it likely misspells, or the settings the object takes when none is close.
 */
function unknownSettings(keys: readonly string[], known: readonly string[]): string {
  const named = keys.map((key) => {
    const meant = likelyMeant(key, known);
    const notes = [
      ...(meant === undefined ? [] : [`did you mean "${meant}"?`]),
      ...(/currency|(?<!usd)(eur|gbp|jpy|aud|cad|chf|inr|sgd|sek|nok|dkk|nzd|brl|mxn|zar|aed|cny)$/i.test(key)
        ? ['amounts in the policy are in US dollars']
        : []),
    ];
    return notes.length === 0 ? `"${key}"` : `"${key}" (${notes.join(' ')})`;
  });
  const unmatched = keys.some((key) => likelyMeant(key, known) === undefined);
  const settings = keys.length === 1 ? 'a setting' : 'settings';
  const hint =
    !unmatched || known.length === 0
      ? ''
      : known.length <= 12
        ? `; the settings here are ${known.map((name) => `"${name}"`).join(', ')}`
        : '; check the spelling against policy/default-policy.json';
  return `has ${settings} Dealreg does not know: ${named.join(', ')}${hint}`;
}

function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** "lines 3 and 9", or "line 3" when every time is on one line. */
function linesText(lines: readonly number[]): string {
  const distinct = [...new Set(lines)];
  if (distinct.length === 1) return `line ${distinct[0]}`;
  return `lines ${distinct.slice(0, -1).join(', ')} and ${distinct.at(-1)}`;
}

/** "is set twice in one object (lines 3 and 9): keep one; JSON would silently use only the last". */
function duplicateProblem({ path, lines }: DuplicateKey): PolicyProblem {
  const times = lines.length === 2 ? 'twice' : `${lines.length} times`;
  return {
    path,
    message: `is set ${times} in one object (${linesText(lines)}): keep one; JSON would silently use only the last`,
  };
}

/**
 * What to do about the JSON mistakes people make most when they write JSON by hand — a comment,
 * a comma after the last item, single quotes — when the text has one outside its strings (the
 * first, with its line). `JSON.parse` names where it stopped, not always where, nor why.
 */
function jsonSyntaxHint(text: string): string {
  let line = 1;
  let inString = false;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (char === '\n') line += 1;
    if (inString) {
      if (char === '\\') at += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '/' && (text[at + 1] === '/' || text[at + 1] === '*')) {
      return `; line ${line} has a comment, which JSON does not allow: remove it (policy/README.md explains each setting)`;
    } else if (char === "'") {
      return `; line ${line} has a single quote: JSON takes double quotes ("...") around names and texts`;
    } else if (char === ',' && /^\s*[}\]]/.test(text.slice(at + 1))) {
      return `; line ${line} has a comma after the last item of an object or list, which JSON does not allow: remove it`;
    }
  }
  return '';
}

/** The policy version of an already validated policy. */
function policyVersionOf(policy: Policy): string {
  const canonical = canonicalize(policy);
  if (canonical === undefined) throw new TypeError('the policy cannot be written as JSON');
  return `pv-${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}

/**
 * The text of a policy file's bytes. A file saved in another encoding (Latin-1, Windows-1252,
 * UTF-16) is refused, naming the first byte that is not UTF-8: decoding it anyway would turn
 * `München` into `M\uFFFDnchen` on the rules-of-engagement page and in the version.
 *
 * @throws PolicyValidationError when the bytes are not UTF-8.
 */
function policyText(bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new PolicyValidationError([
      {
        path: '',
        message: 'is UTF-16 text (it starts with a UTF-16 byte-order mark): save the file as UTF-8',
      },
    ]);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    const at = firstInvalidByte(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, at));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    const byte = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    throw new PolicyValidationError(
      [
        {
          path: '',
          message: `is not UTF-8 text (byte 0x${byte} on line ${line}, column ${column}): save the file as UTF-8`,
        },
      ],
      { cause: error },
    );
  }
}

/** Whether the bytes are UTF-8 so far, a sequence cut off at their end allowed. */
function validSoFar(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** How many bytes the UTF-8 sequence this lead byte begins has; 0 for a byte that begins none. */
function sequenceLength(byte: number): number {
  if (byte < 0x80) return 1;
  if (byte >= 0xc2 && byte <= 0xdf) return 2;
  if (byte >= 0xe0 && byte <= 0xef) return 3;
  if (byte >= 0xf0 && byte <= 0xf4) return 4;
  return 0;
}

/** The offset of the byte where the first sequence that is not UTF-8 begins. */
function firstInvalidByte(bytes: Uint8Array): number {
  // The longest prefix that is UTF-8 so far; being so is kept by every shorter prefix.
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (validSoFar(bytes.subarray(0, middle))) low = middle;
    else high = middle - 1;
  }
  // The byte after it is wrong; when it was to continue a sequence, that sequence began earlier.
  for (let lead = low - 1; lead >= 0 && lead >= low - 3; lead -= 1) {
    const length = sequenceLength(bytes[lead] ?? 0);
    if (length === 0) continue;
    return lead + length > low ? lead : low;
  }
  return low;
}

/**
 * Validates a policy, fills in every default and computes its version. Accepts the bytes or the
 * JSON text of a policy file, or an already parsed object; `{}` is the built-in default policy.
 *
 * The version is the hash of the complete policy after defaults, so two files that say the same
 * thing (keys in another order, a default written out or left out, the days, holidays, countries
 * or types of a list in another order: `inCanonicalOrder`) have the same version, and any change
 * of a value gives a new one.
 *
 * A JSON text that sets one key twice in an object is refused, each such key named with its
 * lines: `JSON.parse` would keep the last silently, and the policy must mean what it reads as.
 *
 * @throws PolicyValidationError listing every problem found, each naming the setting.
 */
export function loadPolicy(source: string | Uint8Array | unknown): LoadedPolicy {
  if (source instanceof Uint8Array) return loadPolicy(policyText(source));
  let input: unknown = source;
  if (typeof source === 'string') {
    // Editors on Windows may save JSON with a byte-order mark, which JSON.parse refuses.
    const text = source.replace(/^\uFEFF/, '');
    if (text.trim() === '') {
      throw new PolicyValidationError([
        { path: '', message: 'is empty: write a JSON object of settings ({} is the default policy)' },
      ]);
    }
    try {
      input = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      const hint = jsonSyntaxHint(text);
      throw new PolicyValidationError([{ path: '', message: `is not valid JSON: ${detail}${hint}` }], {
        cause: error,
      });
    }
    const duplicates = findDuplicateKeys(text);
    if (duplicates.length > 0) throw new PolicyValidationError(duplicates.map(duplicateProblem));
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new PolicyValidationError([
      { path: '', message: `must be a JSON object of settings, got ${describeValue(input)}` },
    ]);
  }
  const parsed = policySchema.safeParse(input, { error: plainWords });
  if (!parsed.success) {
    const problems: PolicyProblem[] = parsed.error.issues.map((issue) => ({
      path: pathText(issue.path),
      message: issue.message,
    }));
    throw new PolicyValidationError(problems, { cause: parsed.error });
  }
  const policy = inCanonicalOrder(parsed.data);
  return { policy, policyVersion: policyVersionOf(policy) };
}
