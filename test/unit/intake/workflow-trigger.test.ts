import { describe, expect, it } from 'vitest';
import {
  isFormSubmissionBody,
  summariseWorkflowRecord,
  workflowRecordSchema,
} from '#domain/workflow-trigger.ts';
import { formSubmission } from '#test/support/submissions.ts';
import {
  chosenPropertiesWebhookBody,
  contactWorkflowWebhookBody,
} from '#test/support/workflow-webhook-fixtures.ts';

describe('what the intake makes of a body', () => {
  it('takes a body with a conversionId as a form submission, and a HubSpot record as a trigger', () => {
    expect(isFormSubmissionBody(formSubmission())).toBe(true);
    expect(isFormSubmissionBody({ conversionId: 42 })).toBe(true);
    expect(isFormSubmissionBody(contactWorkflowWebhookBody())).toBe(false);
    expect(isFormSubmissionBody(chosenPropertiesWebhookBody())).toBe(false);
  });

  it('names a contact by its canonical vid, and chosen properties by hs_object_id', () => {
    expect(summariseWorkflowRecord(contactWorkflowWebhookBody({ vid: 51 }))).toEqual({ objectId: '51' });
    expect(summariseWorkflowRecord(chosenPropertiesWebhookBody())).toEqual({ objectId: '3234574' });
    expect(summariseWorkflowRecord({ properties: { hs_object_id: '77' } })).toEqual({ objectId: '77' });
    expect(summariseWorkflowRecord({})).toEqual({ objectId: undefined });
  });

  it('refuses JSON that is not an object, saying what the body must be', () => {
    for (const body of [[], 'text', 42, null]) {
      const parsed = workflowRecordSchema.safeParse(body);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toContain('the body must be a JSON object');
    }
  });
});
