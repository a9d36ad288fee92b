import { HubSpotApiError, notFound, validationError } from './errors.ts';
import { upsertContactFromSubmission } from './form-contacts.ts';
import type { FormDefinition, FormSubmission } from './form-store.ts';
import { intParam, type Route, route } from './http.ts';
import type { Portal } from './portal.ts';
import { parseTimestamp } from './values.ts';
import type { WebhookDispatcher } from './webhooks.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

function formJson(form: FormDefinition): Record<string, unknown> {
  return {
    id: form.guid,
    name: form.name,
    formType: 'hubspot',
    createdAt: iso(form.createdAt),
    updatedAt: iso(form.updatedAt),
    archived: false,
    fieldGroups: form.fields.map((field) => ({
      groupType: 'default_group',
      richTextType: 'text',
      fields: [
        {
          objectTypeId: '0-1',
          name: field.name,
          label: field.label,
          required: field.required,
          hidden: false,
          fieldType: field.fieldType,
        },
      ],
    })),
    configuration: {
      language: 'en',
      cloneable: true,
      editable: true,
      archivable: true,
      recaptchaEnabled: false,
      notifyContactOwner: false,
      notifyRecipients: [],
      createNewContactForNewEmail: false,
      prePopulateKnownValues: false,
      allowLinkToResetKnownValues: false,
      lifecycleStages: [],
      postSubmitAction: { type: 'thank_you', value: 'Thanks for submitting the form.' },
    },
    displayOptions: { renderRawHtml: false, theme: 'default_style', submitButtonText: 'Submit', style: {} },
    legalConsentOptions: { type: 'none' },
  };
}

/** Opaque v1 paging cursor: the (submittedAt, sequence) of the last submission returned. */
function encodeCursor(submission: FormSubmission): string {
  return Buffer.from(`${submission.submittedAt}:${submission.sequence}`).toString('base64url');
}

function decodeCursor(after: string): { submittedAt: number; sequence: number } {
  const [submittedAt, sequence] = Buffer.from(after, 'base64url').toString('utf8').split(':').map(Number);
  if (
    submittedAt === undefined ||
    sequence === undefined ||
    Number.isNaN(submittedAt) ||
    Number.isNaN(sequence)
  ) {
    throw validationError(`after is not a paging cursor returned by this API: ${after}`);
  }
  return { submittedAt, sequence };
}

/** Submission-API style 400 (`errors: [{message, errorType}]`). */
function submissionError(
  status: number,
  message: string,
  errors: { message: string; errorType: string }[],
): HubSpotApiError {
  return new HubSpotApiError(status, message, undefined, { errors });
}

/** Forms API v3 (definitions) and v1 (submissions), both authenticated. */
export function formRoutes(portal: Portal): Route[] {
  return [
    route('GET', '/marketing/v3/forms', 'api', (request) => {
      const limit = intParam(request.query, 'limit', 20, 100);
      const forms = [...portal.forms.definitions.values()];
      const offset = Number(request.query.get('after') ?? 0) || 0;
      const body: Record<string, unknown> = { results: forms.slice(offset, offset + limit).map(formJson) };
      if (offset + limit < forms.length) body.paging = { next: { after: String(offset + limit) } };
      return { status: 200, body };
    }),
    route('GET', '/marketing/v3/forms/:guid', 'api', (request) => {
      const form = portal.forms.definitions.get(request.params.guid ?? '');
      if (form === undefined) throw notFound(`Form ${request.params.guid ?? ''} not found`);
      return { status: 200, body: formJson(form) };
    }),
    route('GET', '/form-integrations/v1/submissions/forms/:guid', 'api', (request) => {
      const guid = request.params.guid ?? '';
      const list = portal.forms.submissions.get(guid);
      if (list === undefined) throw notFound(`Form ${guid} not found`);
      const limit = intParam(request.query, 'limit', 20, 50);
      const after = request.query.get('after');
      // Newest first: walk the ascending list from the end, starting below the cursor.
      let position = list.length - 1;
      if (after !== null && after !== '') {
        const cursor = decodeCursor(after);
        let low = 0;
        let high = list.length;
        while (low < high) {
          const mid = (low + high) >> 1;
          const item = list[mid];
          const before =
            item !== undefined &&
            (item.submittedAt < cursor.submittedAt ||
              (item.submittedAt === cursor.submittedAt && item.sequence < cursor.sequence));
          if (before) low = mid + 1;
          else high = mid;
        }
        position = low - 1;
      }
      const results: FormSubmission[] = [];
      for (; position >= 0 && results.length < limit; position--) {
        const item = list[position];
        if (item !== undefined) results.push(item);
      }
      const last = results.at(-1);
      const body: Record<string, unknown> = {
        results: results.map((submission) => ({
          conversionId: submission.conversionId,
          submittedAt: submission.submittedAt,
          values: submission.values,
          pageUrl: submission.pageUrl,
        })),
      };
      if (position >= 0 && last !== undefined) {
        const next = encodeCursor(last);
        body.paging = { next: { after: next, link: `${request.path}?limit=${limit}&after=${next}` } };
      }
      return { status: 200, body };
    }),
  ];
}

/**
 * The public form submit endpoint (no auth): stores the submission, creates or updates the
 * submitter's contact, and fires the contact-based workflow's webhook.
 */
export function submitRoute(portal: Portal, webhooks: WebhookDispatcher): Route {
  return route('POST', '/submissions/v3/integration/submit/:portalId/:guid', 'public', (request) => {
    const form = portal.forms.definitions.get(request.params.guid ?? '');
    if (form === undefined || request.params.portalId !== String(portal.portalId)) {
      throw submissionError(404, 'Form not found', [
        {
          message: `Form ${request.params.guid ?? ''} was not found in portal ${request.params.portalId ?? ''}`,
          errorType: 'FORM_NOT_FOUND',
        },
      ]);
    }
    const body = request.object();
    if (!Array.isArray(body.fields)) {
      throw submissionError(400, 'The request is not valid', [
        { message: "Error in 'fields'. fields is required", errorType: 'INVALID_JSON' },
      ]);
    }
    const known = new Set(form.fields.map((field) => field.name));
    const values: { name: string; value: string }[] = [];
    const problems: { message: string; errorType: string }[] = [];
    body.fields.forEach((raw: unknown, index) => {
      const field = (raw ?? {}) as { name?: unknown; value?: unknown };
      if (typeof field.name !== 'string' || field.name === '') {
        problems.push({
          message: `Error in 'fields[${index}].name'. A field name is required`,
          errorType: 'INVALID_JSON',
        });
        return;
      }
      if (!known.has(field.name)) {
        problems.push({
          message: `Error in 'fields.${field.name}'. This field is not in the form definition`,
          errorType: 'FIELD_NOT_IN_FORM_DEFINITION',
        });
        return;
      }
      values.push({
        name: field.name,
        value: field.value === undefined || field.value === null ? '' : String(field.value),
      });
    });
    for (const field of form.fields) {
      if (field.required && !values.some((value) => value.name === field.name && value.value.trim() !== '')) {
        problems.push({
          message: `Error in 'fields.${field.name}'. Required field '${field.name}' is missing`,
          errorType: 'REQUIRED_FIELD',
        });
      }
    }
    let submittedAt = portal.now();
    if (body.submittedAt !== undefined) {
      const parsed = parseTimestamp(body.submittedAt);
      if (parsed === undefined)
        problems.push({
          message: "Error in 'submittedAt'. It must be a timestamp in ms",
          errorType: 'INVALID_JSON',
        });
      else submittedAt = parsed;
    }
    if (problems.length > 0) throw submissionError(400, 'The request is not valid', problems);
    const context = (body.context ?? {}) as { pageUri?: unknown };
    const submission = portal.forms.addSubmission(form.guid, {
      submittedAt,
      values,
      pageUrl: typeof context.pageUri === 'string' ? context.pageUri : undefined,
    });
    // HubSpot creates or updates the submitter's contact; the contact-based workflow enrolled on
    // the form's submission then sends that contact to its webhook.
    const contact = upsertContactFromSubmission(portal, submission);
    webhooks.formSubmitted(form.guid, submission, contact);
    return { status: 200, body: { inlineMessage: 'Thanks for submitting the form.' } };
  });
}
