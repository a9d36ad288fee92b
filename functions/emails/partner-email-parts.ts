import * as z from 'zod';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { html, type SafeHtml } from '#rendering/html.ts';
import { timeZoneSchema, webLinkSchema } from './email-input-fields.ts';
import { EmailTemplateInputError } from './email-template-input-error.ts';
import { oneLine } from './email-text.ts';
import { emailStyle, renderHtmlLayout, renderTextLayout } from './layout.ts';
import { registrationRows, registrationSummarySchema } from './registration-summary.ts';
import { type Row, rowsHtml, rowsText } from './summary-rows.ts';

/**
 * What the emails to the submitting partner share (receipt, decision, information request, expiry
 * warning): who they go to, the registration, the link to its status page, the policy version,
 * and the layout: a list of blocks, each rendered once as escaped HTML and once as verbatim text,
 * ending with the status link and the registration's summary rows.
 */

/** The recipient and the registration: the first fields of every email to the partner. */
export const partnerEmailFields = {
  to: z.email('the recipient must be an email address'),
  registration: registrationSummarySchema,
  /** The signed link to the registration's read-only status page (`GET /registrations/{id}/status?t=…`). */
  statusUrl: webLinkSchema('the status link').optional(),
};

/** The calendar and the policy the email speaks of: the last fields of every email to the partner. */
export const policyContextFields = {
  /** The business calendar's zone: dates are shown in it. */
  timeZone: timeZoneSchema,
  policyVersion: z.string().trim().min(1, 'the policy version is required'),
};

/** The fields every email to the partner has, as a template receives them. */
type PartnerEmail = z.output<z.ZodObject<typeof partnerEmailFields & typeof policyContextFields>>;

export type PartnerEmailBlock =
  | { readonly kind: 'paragraph'; readonly text: string }
  /** A sentence that must not be missed (the decision, the expiry date). */
  | { readonly kind: 'emphasis'; readonly text: string }
  /** Someone else's words, quoted as written (an approver's reason or question). */
  | { readonly kind: 'quote'; readonly label: string; readonly text: string }
  /** A call-to-action link; the URL must already be checked to be http or https. */
  | { readonly kind: 'button'; readonly label: string; readonly url: string }
  /** A plain link in a sentence of its own; the URL must already be checked. */
  | { readonly kind: 'link'; readonly label: string; readonly url: string }
  | { readonly kind: 'rows'; readonly heading: string; readonly rows: readonly Row[] };

/** What a template writes; the registration's rows and the reference are added after it. */
interface PartnerEmailWords {
  readonly subject: string;
  readonly title: string;
  readonly blocks: readonly PartnerEmailBlock[];
  /** Who to ask, first in the footer. */
  readonly contact?: string;
}

/** How a template names the customer (on one line) and the registration (its reference). */
interface PartnerEmailNames {
  readonly customer: string;
  readonly reference: string;
}

interface PartnerEmailContent {
  readonly template: string;
  readonly to: string;
  readonly subject: string;
  readonly title: string;
  readonly blocks: readonly PartnerEmailBlock[];
  readonly footer: readonly string[];
}

function blockHtml(block: PartnerEmailBlock): SafeHtml {
  switch (block.kind) {
    case 'paragraph':
      return html`<p style="${emailStyle.paragraph}">${block.text}</p>`;
    case 'emphasis':
      return html`<p style="${emailStyle.paragraph}"><strong>${block.text}</strong></p>`;
    case 'quote':
      return html`<p style="${emailStyle.paragraph}margin-bottom:4px;">${block.label}</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="${emailStyle.table}"><tr><td style="${emailStyle.cell}border-left:4px solid #9fb3c8;background-color:#f5f7fa;white-space:pre-wrap;">${block.text}</td></tr></table>`;
    case 'button':
      return html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px 0;"><tr><td style="background-color:#0b69a3;padding:12px 20px;"><a href="${block.url}" style="${emailStyle.font}font-size:16px;line-height:20px;font-weight:600;color:#ffffff;text-decoration:none;">${block.label}</a></td></tr></table>`;
    case 'link':
      return html`<p style="${emailStyle.paragraph}"><a href="${block.url}" style="${emailStyle.link}">${block.label}</a></p>`;
    case 'rows':
      return html`<h3 style="${emailStyle.paragraph}font-weight:600;margin-bottom:8px;">${block.heading}</h3>
${rowsHtml(block.rows)}`;
  }
}

function blockText(block: PartnerEmailBlock): string {
  switch (block.kind) {
    case 'paragraph':
    case 'emphasis':
      return block.text;
    case 'quote':
      return `${block.label}\n${block.text
        .split(/\r?\n/)
        .map((line) => `> ${line}`)
        .join('\n')}`;
    case 'button':
    case 'link':
      return `${block.label}: ${block.url}`;
    case 'rows':
      return `${block.heading.toUpperCase()}\n${rowsText(block.rows)}`;
  }
}

/**
 * Renders an email to the submitting partner: checks the input with the template's schema, lets
 * the template write its words, and adds the registration's rows and the reference.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderPartnerEmail<Schema extends z.ZodType<PartnerEmail>>(
  template: string,
  schema: Schema,
  input: unknown,
  write: (email: z.output<Schema>, names: PartnerEmailNames) => PartnerEmailWords,
): OutgoingEmail {
  const email = EmailTemplateInputError.check(template, schema, input);
  const { registration } = email;
  const reference = registration.registrationId;
  const words = write(email, { customer: oneLine(registration.customerCompanyName), reference });
  return layOut({
    template,
    to: email.to,
    subject: words.subject,
    title: words.title,
    blocks: [
      ...words.blocks,
      ...(email.statusUrl === undefined
        ? []
        : [{ kind: 'link' as const, label: 'See where your registration stands', url: email.statusUrl }]),
      { kind: 'rows', heading: 'Your registration', rows: registrationRows(registration) },
    ],
    footer: [
      ...(words.contact === undefined ? [] : [words.contact]),
      `Reference ${reference} · policy version ${email.policyVersion}`,
    ],
  });
}

/** Lays the blocks out as HTML and as text. */
function layOut(content: PartnerEmailContent): OutgoingEmail {
  const first = content.blocks.find(
    (block) => block.kind !== 'rows' && block.kind !== 'button' && block.kind !== 'link',
  );
  const preheader = first !== undefined && 'text' in first ? first.text : undefined;
  return {
    to: [content.to],
    subject: content.subject,
    template: content.template,
    html: renderHtmlLayout({
      title: content.title,
      preheader,
      body: html`${content.blocks.map(blockHtml)}`,
      footer: html`${content.footer.map((line) => html`<p style="${emailStyle.small}">${line}</p>`)}`,
    }),
    text: renderTextLayout({
      title: content.title,
      sections: content.blocks.map(blockText),
      footer: content.footer,
    }),
  };
}
