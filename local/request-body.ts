import * as z from 'zod';

/** A local route's request body read against its schema: the value, or the problem named. */
export type ReadBody<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

/** `formGuids[0]`: where in the body an issue lies, as a field name a person would write. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, key) =>
      typeof key === 'number' ? `${name}[${key}]` : name === '' ? String(key) : `${name}.${String(key)}`,
    '',
  );
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Reads a local route's JSON body: text that is not JSON is named as such, with the parser's
 * reason and `shape` (what the body should look like); a value the schema refuses gets the
 * schema's message, led by the field it concerns (`formGuids[0] must be …`) and ending with the
 * value it got.
 */
export function readJsonBody<T>(
  text: string,
  schema: z.ZodType<T>,
  shape: string,
  options: { readonly emptyAs?: unknown } = {},
): ReadBody<T> {
  let body: unknown;
  if (text.trim() === '' && options.emptyAs !== undefined) {
    body = options.emptyAs;
  } else {
    try {
      body = JSON.parse(text);
    } catch (error) {
      const reason = text.trim() === '' ? 'it is empty' : (error as Error).message;
      return { ok: false, problem: `the body is not valid JSON (${reason}); ${shape}` };
    }
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue === undefined || issue.code === 'unrecognized_keys') return { ok: false, problem: shape };
  const field = fieldOf(issue.path);
  if (field === '') return { ok: false, problem: issue.message };
  return {
    ok: false,
    problem: `${field} ${issue.message}, got ${JSON.stringify(valueAt(body, issue.path)) ?? 'nothing'}`,
  };
}

const backfillShape =
  'the body must be a JSON object such as {"formGuids": ["…"]} (or {} for the configured form)';
const backfillRequestSchema = z.object(
  {
    formGuids: z
      .array(
        z
          .string({ error: 'must be a form GUID (text)' })
          .trim()
          .min(1, { error: 'must be a form GUID, not empty text' }),
        { error: 'must be a list of form GUIDs' },
      )
      .min(1, { error: 'must name at least one form GUID (leave it out for the configured form)' })
      .optional(),
  },
  { error: backfillShape },
);

/** The body of `POST /_local/backfill`: `{}` (or nothing) for the configured form, or `{"formGuids": [...]}`. */
export function readBackfillRequest(text: string): ReadBody<z.infer<typeof backfillRequestSchema>> {
  return readJsonBody(text, backfillRequestSchema, backfillShape, { emptyAs: {} });
}
