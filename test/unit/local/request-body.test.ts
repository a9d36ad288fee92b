import { describe, expect, it } from 'vitest';
import { readBackfillRequest } from '#local/request-body.ts';

describe('the body of POST /_local/backfill', () => {
  it.each([
    ['nothing', '', {}],
    ['an empty object', '{}', {}],
    ['forms', '{"formGuids": [" form-1 ", "form-2"]}', { formGuids: ['form-1', 'form-2'] }],
  ])('takes %s', (_case, body, expected) => {
    expect(readBackfillRequest(body)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['a form GUID that is not text', '{"formGuids": [1]}', 'formGuids[0] must be a form GUID (text), got 1'],
    [
      'an empty form GUID',
      '{"formGuids": ["form-1", "  "]}',
      'formGuids[1] must be a form GUID, not empty text, got "  "',
    ],
    [
      'formGuids that is not a list',
      '{"formGuids": "form-1"}',
      'formGuids must be a list of form GUIDs, got "form-1"',
    ],
    [
      'an empty list',
      '{"formGuids": []}',
      'formGuids must name at least one form GUID (leave it out for the configured form), got []',
    ],
    [
      'a body that is not an object',
      '["form-1"]',
      'the body must be a JSON object such as {"formGuids": ["…"]} (or {} for the configured form)',
    ],
  ])('names the field and the problem for %s', (_case, body, problem) => {
    expect(readBackfillRequest(body)).toEqual({ ok: false, problem });
  });

  it('says malformed JSON is malformed, with the reason of the parser and the shape expected', () => {
    const read = readBackfillRequest('{bad');

    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.problem).toMatch(
      /^the body is not valid JSON \(.*position 1.*\); the body must be a JSON object such as \{"formGuids": \["…"\]\}/,
    );
  });
});
