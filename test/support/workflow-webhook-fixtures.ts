/**
 * Bodies of a HubSpot workflow "Send a webhook" action, written from HubSpot's documentation:
 * - "Using webhooks in workflows" (HubSpot developer documentation): "The webhook will POST the
 *   data for the object going through the workflow. The data will be the exact same data you'd get
 *   when pulling that object using the relevant object API", and only contact-based workflows
 *   include "the most recent property value plus any historical property values";
 * - "Get a contact by vid" and "Contacts API Overview" (Contacts API v1): `vid`, `canonical-vid`,
 *   `merged-vids`, `portal-id`, `is-contact`, `properties.<name>.{value, versions[]}`,
 *   `form-submissions`, `identity-profiles`;
 * - "Use webhooks with HubSpot workflows" (HubSpot Knowledge Base): the action sends all the
 *   record's properties, or a customised body of chosen properties.
 */

/** A contact-based workflow's body with every property, enrolled when the contact submitted the form. */
export function contactWorkflowWebhookBody(
  overrides: { vid?: number; email?: string; submittedAt?: number; formGuid?: string } = {},
): Record<string, unknown> {
  const vid = overrides.vid ?? 3_234_574;
  const email = overrides.email ?? 'pat.partner@northwind-partners.com';
  const at = overrides.submittedAt ?? Date.parse('2026-11-24T09:00:00Z');
  const formGuid = overrides.formGuid ?? 'f1a2b3c4-0000-4000-8000-00000000dea1';
  const fromForm = (value: string) => ({
    value,
    versions: [
      {
        value,
        'source-type': 'FORM',
        'source-id': formGuid,
        'source-label': null,
        'updated-by-user-id': null,
        timestamp: at,
        selected: false,
      },
    ],
  });
  return {
    vid,
    'canonical-vid': vid,
    'merged-vids': [],
    'portal-id': 1_234_567,
    'is-contact': true,
    properties: {
      email: fromForm(email),
      firstname: fromForm('Pat'),
      lastname: fromForm('Partner'),
      company: fromForm('Northwind Partners'),
      hs_object_id: { value: String(vid), versions: [] },
      lastmodifieddate: { value: String(at), versions: [] },
      createdate: { value: String(at - 86_400_000), versions: [] },
    },
    'form-submissions': [
      {
        'conversion-id': '5b1c2a7e-0e4b-4b8e-9d0a-1c2d3e4f5a6b',
        timestamp: at,
        'form-id': formGuid,
        'portal-id': 1_234_567,
        'page-url': 'https://partners.example.com/register-a-deal',
        'form-type': 'HUBSPOT',
        'meta-data': [],
      },
    ],
    'list-memberships': [],
    'identity-profiles': [
      {
        vid,
        'saved-at-timestamp': at,
        'deleted-changed-timestamp': 0,
        identities: [{ type: 'EMAIL', value: email, timestamp: at, 'is-primary': true }],
      },
    ],
    'merge-audits': [],
  };
}

/** A customised body: the chosen properties only, under the names given in the action. */
export function chosenPropertiesWebhookBody(): Record<string, unknown> {
  return { hs_object_id: '3234574', email: 'pat.partner@northwind-partners.com', firstname: 'Pat' };
}
