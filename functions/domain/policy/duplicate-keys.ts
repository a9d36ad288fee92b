/** A key one object of a JSON text sets more than once. */
export interface DuplicateKey {
  /** Path of the setting, as policy problems name it, e.g. `routing` or `routing.rules[0].firstApprover`. */
  readonly path: string;
  /** The 1-based line of each time the object names it, in order. */
  readonly lines: readonly number[];
}

interface ObjectFrame {
  readonly kind: 'object';
  readonly path: string;
  /** Lines of each key named so far, by its decoded name. */
  readonly keys: Map<string, number[]>;
  /** The key whose value comes next, or undefined while a key is expected. */
  key: string | undefined;
}

interface ArrayFrame {
  readonly kind: 'array';
  readonly path: string;
  index: number;
}

type Frame = ObjectFrame | ArrayFrame;

const identifier = /^[A-Za-z_$][\w$-]*$/;

function memberPath(path: string, key: string): string {
  if (!identifier.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

function childPath(frame: Frame | undefined): string {
  if (frame === undefined) return '';
  if (frame.kind === 'array') return `${frame.path}[${frame.index}]`;
  return memberPath(frame.path, frame.key ?? '');
}

/**
 * Every key named twice or more in one object of a JSON text. `JSON.parse` keeps the last of
 * them silently, although RFC 8259 ("The JavaScript Object Notation (JSON) Data Interchange
 * Format", section 4) says the names within an object SHOULD be unique and that receivers then
 * behave unpredictably; a policy must mean one thing, so its loader refuses such a text.
 *
 * Keys are compared as `JSON.parse` reads them, so `"a"` and `"\u0061"` are the same key. The
 * text must already be valid JSON (`JSON.parse` accepted it): this scanner checks no syntax.
 * It keeps its own stack, so a deeply nested text cannot overflow the call stack.
 */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let line = 1;

  const close = () => {
    const frame = stack.pop();
    if (frame?.kind !== 'object') return;
    for (const [key, lines] of frame.keys) {
      if (lines.length > 1) found.push({ path: memberPath(frame.path, key), lines });
    }
  };

  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    const top = stack.at(-1);
    switch (char) {
      case '\n':
        line += 1;
        break;
      case '{':
        stack.push({ kind: 'object', path: childPath(top), keys: new Map(), key: undefined });
        break;
      case '[':
        stack.push({ kind: 'array', path: childPath(top), index: 0 });
        break;
      case '}':
      case ']':
        close();
        break;
      case ',':
        if (top?.kind === 'array') top.index += 1;
        else if (top?.kind === 'object') top.key = undefined;
        break;
      case '"': {
        let end = at + 1;
        while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
        if (top?.kind === 'object' && top.key === undefined) {
          const key = JSON.parse(text.slice(at, end + 1)) as string;
          const lines = top.keys.get(key);
          if (lines === undefined) top.keys.set(key, [line]);
          else lines.push(line);
          top.key = key;
        }
        at = end;
        break;
      }
      default:
        break;
    }
  }
  // In the order a reader meets them: by where each key is first set.
  return found.sort(
    (one, other) =>
      (one.lines[0] ?? 0) - (other.lines[0] ?? 0) || (one.lines[1] ?? 0) - (other.lines[1] ?? 0),
  );
}
