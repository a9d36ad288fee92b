import { describe, expect, it } from 'vitest';
import { readDecision } from '#domain/approvals/decision-form.ts';
import { InvalidFormError } from '#domain/signed-links/errors.ts';
import { directActivityVerdict } from './approval-fixtures.ts';

const sourcedVerdict = directActivityVerdict();

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidFormError) return error.problems.map((p) => p.field);
    throw error;
  }
  return [];
}

describe('reading the approver decision', () => {
  it('approves under the relationship the policy gave, without needing a reason', () => {
    expect(readDecision({ decision: 'approve' }, sourcedVerdict)).toEqual({
      choice: { outcome: 'approve', relationshipType: 'sourced' },
      exception: false,
    });
  });

  it('approves as influenced with its reason, recorded as an exception to a sourced verdict', () => {
    expect(
      readDecision(
        { decision: 'approve', relationshipType: 'influenced', reason: ' rep met them first ' },
        sourcedVerdict,
      ),
    ).toEqual({
      choice: { outcome: 'approve', relationshipType: 'influenced', reason: 'rep met them first' },
      exception: true,
    });
  });

  it('approves as influenced without an exception where the verdict already gives influenced', () => {
    const verdict = directActivityVerdict({ relationshipType: 'influenced' });

    expect(readDecision({ decision: 'approve', relationshipType: 'influenced' }, verdict).exception).toBe(
      false,
    );
  });

  it.each([
    [{ decision: 'reject' }, 'reason'],
    [{ decision: 'reject', reason: '   ' }, 'reason'],
    [{ decision: 'approve', relationshipType: 'influenced' }, 'reason'],
    [{ decision: 'approve', relationshipType: 'resell' }, 'reason'],
    [{ decision: 'approve', relationshipType: 'partner' }, 'relationshipType'],
    [{ decision: 'approve-influenced' }, 'decision'],
    [{ decision: 'request-info', reason: 'wrong field' }, 'question'],
    [{ decision: 'approve!' }, 'decision'],
    [{}, 'decision'],
    [{ decision: 'reject', reason: 'x'.repeat(2001) }, 'reason'],
  ])('refuses %j naming the field %s', (fields, field) => {
    expect(problems(() => readDecision(fields, sourcedVerdict))).toEqual([field]);
  });

  it.each(['resell', 'referral'] as const)(
    'approves as %s with a reason, recorded as an exception to a sourced verdict',
    (relationshipType) => {
      expect(
        readDecision({ decision: 'approve', relationshipType, reason: 'they transact it' }, sourcedVerdict),
      ).toEqual({
        choice: { outcome: 'approve', relationshipType, reason: 'they transact it' },
        exception: true,
      });
    },
  );

  describe('at the second level', () => {
    const firstLevel = {
      approverName: 'Casey Channel',
      approvedAt: '2026-11-23T15:00:00.000Z',
      relationshipType: 'influenced',
      reason: 'Dana met them first',
    } as const;

    it('confirms the first level’s relationship, its reason kept, when nothing else is chosen', () => {
      expect(readDecision({ decision: 'approve' }, sourcedVerdict, firstLevel)).toEqual({
        choice: { outcome: 'approve', relationshipType: 'influenced', reason: 'Dana met them first' },
        exception: true,
      });
      expect(
        readDecision({ decision: 'approve', relationshipType: 'influenced' }, sourcedVerdict, firstLevel)
          .choice,
      ).toEqual({ outcome: 'approve', relationshipType: 'influenced', reason: 'Dana met them first' });
    });

    it('takes the second approver’s own reason, and the policy’s relationship without one', () => {
      expect(
        readDecision(
          { decision: 'approve', relationshipType: 'influenced', reason: 'Agreed with Casey' },
          sourcedVerdict,
          firstLevel,
        ).choice,
      ).toEqual({ outcome: 'approve', relationshipType: 'influenced', reason: 'Agreed with Casey' });
      expect(
        readDecision({ decision: 'approve', relationshipType: 'sourced' }, sourcedVerdict, firstLevel),
      ).toEqual({ choice: { outcome: 'approve', relationshipType: 'sourced' }, exception: false });
      expect(
        problems(() =>
          readDecision({ decision: 'approve', relationshipType: 'resell' }, sourcedVerdict, firstLevel),
        ),
      ).toEqual(['reason']);
    });
  });

  it('approves under the verdict’s relationship when the form sends an empty choice', () => {
    expect(readDecision({ decision: 'approve', relationshipType: '' }, sourcedVerdict).choice).toEqual({
      outcome: 'approve',
      relationshipType: 'sourced',
    });
  });

  it('rejects with the reason, an exception only when the verdict was clear', () => {
    expect(readDecision({ decision: 'reject', reason: 'duplicate of 41' }, sourcedVerdict)).toEqual({
      choice: { outcome: 'reject', reason: 'duplicate of 41' },
      exception: false,
    });
    expect(
      readDecision({ decision: 'reject', reason: 'no' }, directActivityVerdict({ outcome: 'clear' }))
        .exception,
    ).toBe(true);
  });

  it('refuses a question on an extension, or once the policy’s questions at the level are used, saying to decide', () => {
    const ask = { decision: 'request-info', question: 'Who is the champion?' };
    expect(() => readDecision(ask, sourcedVerdict, undefined, { extension: true })).toThrow(
      expect.objectContaining({
        problems: [
          {
            field: 'question',
            message:
              'cannot be asked about an extension request, which is approved or refused as a whole: approve or refuse it',
          },
        ],
      }),
    );
    expect(() => readDecision(ask, sourcedVerdict, undefined, { questionsLeft: 0 })).toThrow(
      expect.objectContaining({
        problems: [
          {
            field: 'question',
            message:
              'cannot be asked: the policy allows no more questions to the partner at this approval level (sla.maxQuestions); approve or reject the registration',
          },
        ],
      }),
    );
    expect(readDecision(ask, sourcedVerdict, undefined, { questionsLeft: 1 }).choice.outcome).toBe(
      'request-info',
    );
  });

  it('asks for more information with the question', () => {
    expect(
      readDecision({ decision: 'request-info', question: 'Who is the champion?' }, sourcedVerdict),
    ).toEqual({
      choice: { outcome: 'request-info', question: 'Who is the champion?' },
      exception: false,
    });
  });
});
