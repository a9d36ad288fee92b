import * as z from 'zod';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { html, type SafeHtml } from '#rendering/html.ts';
import { compensationRows } from './compensation-rows.ts';
import { reviewableVerdictSchema, verdictHtml, verdictText } from './conflict-check-section.ts';
import { momentSchema, timeZoneSchema, webLinkSchema } from './email-input-fields.ts';
import { EmailTemplateInputError } from './email-template-input-error.ts';
import { oneLine } from './email-text.ts';
import { emailStyle, renderHtmlLayout, renderTextLayout } from './layout.ts';
import {
  partnerLabel,
  type RegistrationSummary,
  registrationRows,
  registrationSummarySchema,
} from './registration-summary.ts';
import { rowsHtml, rowsText } from './summary-rows.ts';

/**
 * What the three emails to an approver share (request, reminder, escalation): who they go to,
 * the registration, the verdict, the deadline in the approver's own time zone, and one
 * "Review and decide" link that opens the confirmation page and decides nothing by itself
 * (mail scanners follow links, DESIGN §3.3).
 */

const approverSchema = z.object({
  name: z.string().trim().min(1, 'the approver name is required'),
  email: z.email('the approver email must be an email address'),
  timeZone: timeZoneSchema,
});

/** Who approved the first level of a two-level approval, for the second-level approver. */
const firstLevelApprovalSchema = z.object({
  approverName: z.string().trim().min(1, 'name the approver of the first level'),
  approvedAt: momentSchema('approvedAt'),
  /** The relationship the first approver chose, e.g. `Partner-influenced`. */
  relationshipLabel: z.string().trim().min(1).optional(),
  /** Their reason, when they departed from the verdict. */
  reason: z.string().trim().min(1).optional(),
});

/** Fields every approver email has; each template adds its own. */
const approvalEmailFields = {
  /** The stable approval id the link and the page refer to. */
  approvalId: z.string().trim().min(1, 'the approval id is required'),
  approver: approverSchema,
  registration: registrationSummarySchema,
  verdict: reviewableVerdictSchema,
  /** The link to the confirmation page (`GET /approvals/{approvalId}?t=…`). */
  reviewUrl: webLinkSchema('the review link'),
  /** This approver's SLA deadline. */
  deadline: momentSchema('deadline'),
  /** Who the approval goes to if this approver has not decided by the deadline. */
  escalatesTo: z.string().trim().min(1, 'name who it escalates to').optional(),
  level: z.union([z.literal(1), z.literal(2)], { error: 'the level must be 1 or 2' }).default(1),
  firstLevelApproval: firstLevelApprovalSchema.optional(),
  /**
   * What is asked when it is not a new registration (the task's `request`): the partner's
   * extension request with their reason, or a registration resubmitted in answer to a question.
   */
  request: z
    .object({ kind: z.enum(['registration', 'extension']), note: z.string().trim().min(1).optional() })
    .optional(),
  /**
   * Why an approver is asked at all, naming the policy rule (the task's `approvalReason`): a clear
   * conflict check does not say why a person must decide.
   */
  approvalReason: z.string().trim().min(1).optional(),
};

/** The final deadline and what the policy decides then, for emails that state it. */
export const slaDefaultFields = {
  /** When the policy default decides if nobody has. */
  finalDeadline: momentSchema('finalDeadline').optional(),
  /** The policy's decision at the final deadline (`sla.defaultDecision`). */
  slaDefault: z.enum(['approve', 'reject'], { error: 'slaDefault must be approve or reject' }).optional(),
};

/** Whether the approver is asked about the partner's extension request rather than a registration. */
export function asksForExtension(email: {
  readonly request?: { readonly kind: string } | undefined;
}): boolean {
  return email.request?.kind === 'extension';
}

/** The fields every approver email has, as a template receives them. */
type ApproverEmail = z.output<z.ZodObject<typeof approvalEmailFields>>;

/**
 * The input schema of an approver email: the fields every approver email has, then the
 * template's own (`own`); a second-level approval must say who approved the first level.
 */
export function approverEmailInputSchema<Own extends z.ZodRawShape>(own: Own) {
  return z.object({ ...approvalEmailFields, ...own }).superRefine(requireFirstLevelApproval);
}

/**
 * "Please decide by …", who it goes to otherwise and, when given, what the policy decides at the
 * final deadline, all in the approver's zone.
 */
export function decideBySentence(input: {
  readonly deadline: Date;
  readonly approver: { readonly timeZone: string };
  readonly verdict: ConflictVerdict;
  readonly escalatesTo?: string | undefined;
  readonly finalDeadline?: Date | undefined;
  readonly slaDefault?: 'approve' | 'reject' | undefined;
  readonly request?: { readonly kind: string } | undefined;
  /** At the second level the default approves as the first level did. */
  readonly firstLevelApproval?: { readonly relationshipLabel?: string | undefined } | undefined;
}): string {
  const { verdict } = input;
  const extension = asksForExtension(input);
  const timeZone = input.approver.timeZone;
  const sentences = [`Please decide by ${approverDeadline(input.deadline, timeZone)}.`];
  if (input.escalatesTo) sentences.push(`If you have not decided by then, it goes to ${input.escalatesTo}.`);
  if (input.finalDeadline && input.slaDefault) {
    const outcome = extension
      ? `the extension is ${input.slaDefault === 'approve' ? 'approved' : 'refused'}`
      : input.slaDefault === 'approve'
        ? `approved as ${input.firstLevelApproval?.relationshipLabel ?? verdict.compensation?.label ?? verdict.relationshipType}`
        : 'rejected';
    sentences.push(
      `If nobody has decided by ${approverDeadline(input.finalDeadline, timeZone)}, the policy's default applies: ${outcome}.`,
    );
  }
  return sentences.join(' ');
}

/** A second-level approval must say who approved the first level. */
function requireFirstLevelApproval(
  value: { readonly level?: unknown; readonly firstLevelApproval?: unknown },
  context: z.RefinementCtx,
): void {
  if (value.level === 2 && value.firstLevelApproval === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['firstLevelApproval'],
      message: 'a second-level approval names who approved the first level',
    });
  }
}

interface FirstLevelApproval {
  readonly approverName: string;
  readonly approvedAt: Date;
  readonly relationshipLabel?: string | undefined;
  readonly reason?: string | undefined;
}

/** What a template writes; the shared renderer lays it out the same way for all three. */
interface ApproverEmailWords {
  readonly subject: string;
  readonly title: string;
  /** Opening paragraphs, plain text (escaped into the HTML part). */
  readonly intro: readonly string[];
  /** The deadline paragraph: what to do by when and what happens otherwise. */
  readonly deadline: string;
  /** The evidence list; a reminder leaves it to the page to keep the email short. */
  readonly showEvidence: boolean;
}

/** How a template names the approver's zone, the customer and the partner, each on one line. */
interface ApproverEmailNames {
  /** The approver's time zone: every time is shown in it. */
  readonly zone: string;
  readonly customer: string;
  readonly partner: string;
}

interface ApproverEmailContent extends ApproverEmailWords {
  readonly template: string;
  readonly approvalId: string;
  readonly approver: { readonly name: string; readonly email: string; readonly timeZone: string };
  readonly registration: RegistrationSummary;
  readonly verdict: ConflictVerdict;
  readonly reviewUrl: string;
  readonly level: 1 | 2;
  readonly firstLevelApproval?: FirstLevelApproval | undefined;
  readonly request?:
    | { readonly kind: 'registration' | 'extension'; readonly note?: string | undefined }
    | undefined;
  readonly approvalReason?: string | undefined;
}

const LINK_NOTE =
  'The link opens a confirmation page with the registration, the conflict evidence and the time left. Opening it decides nothing: you decide with the buttons on that page.';

/** The deadline in the approver's zone, with the zone named. */
export function approverDeadline(deadline: Date, timeZone: string): string {
  return formatDeadline(deadline, timeZone);
}

function levelSentence(content: ApproverEmailContent): string | undefined {
  const first = content.firstLevelApproval;
  if (content.level !== 2 || first === undefined) return undefined;
  const as = first.relationshipLabel ? ` as ${first.relationshipLabel}` : '';
  const why = first.reason ? ` Their reason: ${first.reason}` : '';
  return `This is the second approval level, required for deals of this size. ${first.approverName} approved the first level${as} on ${approverDeadline(first.approvedAt, content.approver.timeZone)}.${why}`;
}

/** What approving an extension does: the workflow moves the expiry and nothing else. */
const EXTENSION_EFFECT =
  'The registration’s protection is extended as the request says. The relationship the registration was approved as does not change. You may instead refuse the extension with a reason, or ask the partner for more information.';

function ifApprovedText(verdict: ConflictVerdict): string {
  const compensation = verdict.compensation;
  const label = compensation?.label ?? verdict.relationshipType ?? '';
  return `If you approve, the policy records it as ${label} (${verdict.relationshipType}). You may instead approve it as another relationship type, with a reason (reported as an exception to the rule), reject it with a reason, or ask the partner for more information.`;
}

/**
 * Renders an approver email: checks the input with the template's schema, lets the template
 * write its words, and lays them out with the registration, the verdict and the link.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderApproverEmail<Schema extends z.ZodType<ApproverEmail>>(
  template: string,
  schema: Schema,
  input: unknown,
  write: (email: z.output<Schema>, names: ApproverEmailNames) => ApproverEmailWords,
): OutgoingEmail {
  const email = EmailTemplateInputError.check(template, schema, input);
  const { registration } = email;
  const words = write(email, {
    zone: email.approver.timeZone,
    customer: oneLine(registration.customerCompanyName),
    partner: oneLine(partnerLabel(registration)),
  });
  return layOut({
    template,
    ...words,
    approvalId: email.approvalId,
    approver: email.approver,
    registration,
    verdict: email.verdict,
    reviewUrl: email.reviewUrl,
    level: email.level,
    firstLevelApproval: email.firstLevelApproval,
    request: email.request,
    approvalReason: email.approvalReason,
  });
}

/** The request's note as the approver reads it, shown as the task holds it. */
function requestSentence(content: ApproverEmailContent): string | undefined {
  const note = content.request?.note;
  if (note === undefined) return undefined;
  return content.request?.kind === 'extension' ? `Extension requested: ${note}` : note;
}

/** HTML and text from the same content, every value escaped in HTML. */
function layOut(content: ApproverEmailContent): OutgoingEmail {
  const { verdict, registration } = content;
  const why =
    content.approvalReason === undefined ? undefined : `Why you are asked: ${content.approvalReason}`;
  const intro = [...content.intro, requestSentence(content), levelSentence(content), why].filter(
    (paragraph): paragraph is string => paragraph !== undefined,
  );
  const extension = content.request?.kind === 'extension';
  const compensation =
    verdict.compensation === null || extension ? [] : compensationRows(verdict.compensation);
  const ifApproved = extension
    ? { heading: 'If you approve the extension', text: EXTENSION_EFFECT }
    : { heading: 'If you approve', text: ifApprovedText(verdict) };
  const footerLines = [
    `Approval ${content.approvalId} · registration ${registration.registrationId} · policy version ${verdict.policyVersion}`,
    `Sent to ${content.approver.name} (${content.approver.email}); times are in ${content.approver.timeZone}.`,
  ];

  const body: SafeHtml = html`${intro.map((paragraph) => html`<p style="${emailStyle.paragraph}">${paragraph}</p>`)}
<p style="${emailStyle.paragraph}"><strong>${content.deadline}</strong></p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 8px 0;"><tr><td style="background-color:#0b69a3;padding:12px 20px;"><a href="${content.reviewUrl}" style="${emailStyle.font}font-size:16px;line-height:20px;font-weight:600;color:#ffffff;text-decoration:none;">Review and decide</a></td></tr></table>
<p style="${emailStyle.small}margin-bottom:16px;">${LINK_NOTE}</p>
<h3 style="${emailStyle.paragraph}font-weight:600;margin-bottom:8px;">Registration</h3>
${rowsHtml(registrationRows(registration))}
${
  content.showEvidence
    ? verdictHtml(verdict)
    : html`<h3 style="${emailStyle.paragraph}font-weight:600;margin-bottom:8px;">Conflict check</h3>
<p style="${emailStyle.paragraph}">${verdict.reason} The page lists the evidence.</p>`
}
<h3 style="${emailStyle.paragraph}font-weight:600;margin-bottom:8px;">${ifApproved.heading}</h3>
<p style="${emailStyle.paragraph}">${ifApproved.text}</p>
${rowsHtml(compensation)}`;

  const footer = html`${footerLines.map((line) => html`<p style="${emailStyle.small}">${line}</p>`)}`;

  return {
    to: [content.approver.email],
    subject: content.subject,
    template: content.template,
    html: renderHtmlLayout({ title: content.title, preheader: content.deadline, body, footer }),
    text: renderTextLayout({
      title: content.title,
      sections: [
        ...intro,
        content.deadline,
        `Review and decide: ${content.reviewUrl}\n${LINK_NOTE}`,
        `REGISTRATION\n${rowsText(registrationRows(registration))}`,
        content.showEvidence
          ? verdictText(verdict)
          : `CONFLICT CHECK\n${verdict.reason} The page lists the evidence.`,
        `${ifApproved.heading.toUpperCase()}\n${ifApproved.text}\n${rowsText(compensation)}`,
      ],
      footer: footerLines,
    }),
  };
}
