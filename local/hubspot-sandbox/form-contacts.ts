import { randomUUID } from 'node:crypto';
import type { FormSubmission } from './form-store.ts';
import { READ_ONLY_PROPERTIES } from './object-types.ts';
import type { CrmRecord, Portal } from './portal.ts';

/**
 * What a HubSpot form does with a submission besides storing it: it creates the contact of the
 * submitted email, or updates the contact that has it, with the submitted values of the fields
 * that are contact properties: "when added via form submissions … if a contact already exists in
 * your account with the same email address, the new contact information will be added to the
 * existing contact record" ("Deduplication of records", HubSpot Knowledge Base; the hubspotutk
 * cookie match it also describes has no place here, as no browser is involved).
 * A submission without an email makes no contact; values the contact cannot take are left out,
 * as the sandbox only knows the properties it defines. Answers the contact, or undefined.
 */
export function upsertContactFromSubmission(
  portal: Portal,
  submission: FormSubmission,
): CrmRecord | undefined {
  const email = submission.values.find((field) => field.name === 'email')?.value.trim();
  if (email === undefined || email === '') return undefined;
  const store = portal.store('contacts');
  const properties: Record<string, string> = {};
  for (const field of submission.values) {
    if (field.value.trim() === '' || READ_ONLY_PROPERTIES.has(field.name)) continue;
    if (store.properties.has(field.name)) properties[field.name] = field.value;
  }
  try {
    const existing = store.records.get(portal.find(store, email, 'email').id);
    if (existing !== undefined) {
      const [updated] = portal.commitUpdates(
        store,
        portal.prepareUpdates(store, [{ id: existing.id, properties }]),
      );
      return updated;
    }
  } catch {
    // No contact has this email yet: it is created below.
  }
  try {
    const [created] = portal.commitCreates(store, portal.prepareCreates(store, [{ properties }]));
    return created;
  } catch {
    // A value HubSpot would refuse on the contact (an email it cannot take): the submission stays.
    return undefined;
  }
}

/**
 * The body of a contact-based workflow's "Send a webhook" action, with all the contact's
 * properties: "The webhook will POST the data for the object going through the workflow. The data
 * will be the exact same data you'd get when pulling that object using the relevant object API",
 * and "only contact-based workflows will include the most recent property value plus any
 * historical property values" ("Using webhooks in workflows", HubSpot developer documentation).
 * That is the contact as "Get a contact by vid" (Contacts API v1) answers it: `vid`,
 * `canonical-vid`, `portal-id`, `is-contact`, `properties.<name>.{value, versions}`,
 * `form-submissions` and `identity-profiles`. The sandbox keeps no property history, so each
 * property has one version: its value now.
 */
export function contactWorkflowBody(
  portal: Portal,
  contact: CrmRecord,
  formGuid: string,
  submission: FormSubmission,
): Record<string, unknown> {
  const vid = Number(contact.id);
  const submitted = new Set(submission.values.map((field) => field.name));
  const properties: Record<string, unknown> = {};
  for (const [name, value] of contact.properties) {
    const fromForm = submitted.has(name);
    properties[name] = {
      value,
      versions: [
        {
          value,
          'source-type': fromForm ? 'FORM' : 'CALCULATED',
          'source-id': fromForm ? formGuid : null,
          'source-label': null,
          'updated-by-user-id': null,
          timestamp: fromForm ? submission.submittedAt : contact.updatedAt,
          selected: false,
        },
      ],
    };
  }
  const email = contact.properties.get('email') ?? '';
  return {
    vid,
    'canonical-vid': vid,
    'merged-vids': [],
    'portal-id': portal.portalId,
    'is-contact': true,
    properties,
    'form-submissions': [
      {
        'conversion-id': submission.conversionId,
        timestamp: submission.submittedAt,
        'form-id': formGuid,
        'portal-id': portal.portalId,
        'page-url': submission.pageUrl,
        'form-type': 'HUBSPOT',
        'meta-data': [],
      },
    ],
    'list-memberships': [],
    'identity-profiles': [
      {
        vid,
        'saved-at-timestamp': contact.updatedAt,
        'deleted-changed-timestamp': 0,
        identities: [
          { type: 'EMAIL', value: email, timestamp: contact.createdAt, 'is-primary': true },
          { type: 'LEAD_GUID', value: randomUUID(), timestamp: contact.createdAt },
        ],
      },
    ],
    'merge-audits': [],
  };
}
