import { DateTime } from 'luxon';
import * as z from 'zod';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { html, safeUrl } from '#rendering/html.ts';
import { timeZoneSchema } from './email-input-fields.ts';
import { EmailTemplateInputError } from './email-template-input-error.ts';
import { oneLine, truncate } from './email-text.ts';
import { emailStyle, renderHtmlLayout, renderTextLayout } from './layout.ts';

const INVALID_SUBMISSION_TEMPLATE = 'invalid-submission';

/** Longest entered value quoted back in full; longer ones are cut so the email stays readable. */
const MAX_QUOTED_LENGTH = 300;

const problemSchema = z.object({
  /** The label the partner sees on the form, e.g. "Customer domain". */
  field: z.string().trim().min(1, 'a problem needs the field label'),
  /** The HubSpot form field name, e.g. `customer_domain`. */
  formField: z.string().trim().min(1, 'a problem needs the form field name'),
  /** Why the value is not accepted and what to do instead. */
  message: z.string().trim().min(1, 'a problem needs a message'),
  /** What the partner entered, if anything. */
  value: z.string().optional(),
});

const invalidSubmissionEmailInputSchema = z.object({
  to: z.email('the recipient must be an email address'),
  registrationId: z.string().trim().min(1, 'the registration id is required'),
  /** When Dealreg received the submission (not the time the submission claims). */
  receivedAt: z.iso.datetime({ offset: true, error: 'receivedAt must be an ISO-8601 date-time' }),
  customerCompanyName: z.string().optional(),
  problems: z.array(problemSchema).min(1, 'an invalid-submission email needs at least one problem'),
  supportEmail: z.email('the support address must be an email address').optional(),
  /** The page the form was submitted from; linked as the way back, if it is an http(s) URL. */
  formUrl: z.string().optional(),
  /** The policy calendar's zone, in which partner emails give times. @default UTC, said as such */
  timeZone: timeZoneSchema.optional(),
});

export type InvalidSubmissionEmailInput = z.input<typeof invalidSubmissionEmailInputSchema>;
type Problem = z.output<typeof problemSchema>;

/**
 * The email a partner receives when a submitted registration cannot be accepted: which fields
 * to fix and why, what they entered, and the reference id of the stored (rejected) submission.
 *
 * @throws EmailTemplateInputError when the input is unusable (no problems, a bad address).
 */
export function renderInvalidSubmissionEmail(input: InvalidSubmissionEmailInput): OutgoingEmail {
  const email = EmailTemplateInputError.check(
    INVALID_SUBMISSION_TEMPLATE,
    invalidSubmissionEmailInputSchema,
    input,
  );

  const customer = oneLine(email.customerCompanyName ?? '');
  const received = formatReceivedAt(email.receivedAt, email.timeZone);
  const count = email.problems.length;
  const fieldsNeedFixing = count === 1 ? '1 field needs' : `${count} fields need`;
  const title = 'Your deal registration was not accepted';
  const subject = customer
    ? `Action needed: your deal registration for ${truncate(customer, 80)} was not accepted`
    : 'Action needed: your deal registration was not accepted';
  const intro = customer
    ? `Thank you for registering a deal for ${customer}. We could not accept it: ${fieldsNeedFixing} correcting.`
    : `Thank you for registering a deal. We could not accept it: ${fieldsNeedFixing} correcting.`;
  const instruction =
    'Please correct the fields below and submit the deal registration form again. Until then the deal is not registered and no protection applies.';
  const formLink = email.formUrl === undefined ? undefined : httpLink(email.formUrl);
  const mailto = email.supportEmail
    ? safeUrl(
        `mailto:${email.supportEmail}?subject=${encodeURIComponent(`Deal registration ${email.registrationId}`)}`,
      )
    : undefined;

  const htmlBody = html`<p style="${emailStyle.paragraph}">${intro}</p>
<p style="${emailStyle.paragraph}">${instruction}</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="${emailStyle.table}">
<tr><th style="${emailStyle.headerCell}">Field</th><th style="${emailStyle.headerCell}">What to fix</th><th style="${emailStyle.headerCell}">You entered</th></tr>
${email.problems.map(
  (problem) => html`<tr>
<td style="${emailStyle.cell}"><strong>${problem.field}</strong><br><span style="${emailStyle.small}">form field ${problem.formField}</span></td>
<td style="${emailStyle.cell}">${problem.message}</td>
<td style="${emailStyle.cell}">${
    isEmpty(problem.value)
      ? html`<em>(left empty)</em>`
      : html`<span style="${emailStyle.code}">${truncate(problem.value ?? '', MAX_QUOTED_LENGTH)}</span>`
  }</td>
</tr>`,
)}
</table>
${formLink ? html`<p style="${emailStyle.paragraph}"><a href="${formLink}" style="${emailStyle.link}">Open the deal registration form</a></p>` : ''}
<p style="${emailStyle.paragraph}">Reference: <span style="${emailStyle.code}">${email.registrationId}</span><br>Received: ${received}</p>`;

  const htmlFooter = html`<p style="${emailStyle.small}">${
    mailto
      ? html`Questions? Write to <a href="${mailto}" style="${emailStyle.link}">${email.supportEmail}</a> and quote reference ${email.registrationId}.`
      : html`Questions? Reply to the contact who invited you to register deals and quote reference ${email.registrationId}.`
  }</p>`;

  return {
    to: [email.to],
    subject,
    template: INVALID_SUBMISSION_TEMPLATE,
    html: renderHtmlLayout({ title, preheader: intro, body: htmlBody, footer: htmlFooter }),
    text: renderTextLayout({
      title,
      sections: [
        intro,
        instruction,
        email.problems.map(problemAsText).join('\n\n'),
        ...(formLink ? [`The form: ${formLink}`] : []),
        `Reference: ${email.registrationId}\nReceived: ${received}`,
      ],
      footer: [
        email.supportEmail
          ? `Questions? Write to ${email.supportEmail} and quote reference ${email.registrationId}.`
          : `Questions? Reply to the contact who invited you to register deals and quote reference ${email.registrationId}.`,
      ],
    }),
  };
}

function problemAsText(problem: Problem, index: number): string {
  const entered = isEmpty(problem.value)
    ? '(left empty)'
    : `"${truncate(problem.value ?? '', MAX_QUOTED_LENGTH)}"`;
  return [
    `${index + 1}. ${problem.field} (form field ${problem.formField})`,
    `   What to fix: ${problem.message}`,
    `   You entered: ${entered}`,
  ].join('\n');
}

/** Only an http(s) URL is linked: a page URL comes from the submission and is not trusted. */
function httpLink(url: string): string | undefined {
  const safe = safeUrl(url.trim());
  return safe !== undefined && /^https?:\/\//i.test(safe) ? safe : undefined;
}

function isEmpty(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function formatReceivedAt(iso: string, timeZone: string | undefined): string {
  if (timeZone !== undefined) return formatDeadline(new Date(iso), timeZone);
  return DateTime.fromISO(iso, { zone: 'utc' }).toFormat("d LLL yyyy, HH:mm 'UTC'");
}
