import * as z from 'zod';
import { referralLinkExpiry, referralLinks } from '#domain/aws-referrals/referral-link.ts';
import { awsRejectionReason, rejectionReasonMaxLength } from '#domain/aws-referrals/rejection-reason.ts';
import { AlreadyDoneError, NoLongerOpenError, NotFoundError } from '#domain/signed-links/errors.ts';
import { signedLink } from '#domain/signed-links/link-token.ts';
import { maxTextLength, readForm } from '#domain/signed-links/page-form.ts';
import { renderAwsReferralReviewEmail } from '#emails/aws-referral-review.ts';
import type { Mailer } from '#ports/mailer.ts';
import type { AwsReferral } from '#ports/partner-central.ts';
import { CoSellConflictError, CoSellOpportunityNotFoundError } from '#ports/partner-central-errors.ts';
import {
  type AwsReferralDependencies,
  type AwsReferralReview,
  reviewAwsReferral,
} from './review-aws-referral.ts';
import {
  type FormSubmission,
  type LinkOpening,
  linkPage,
  type SignedLinkDependencies,
} from './signed-link-pages.ts';

/**
 * The referral review: the channel manager the policy routes the customer to gets an email with a
 * signed link; the page it opens shows the referral and the conflict check (run again on every
 * opening, so it shows the evidence as it stands) and accepts or rejects the referral in Partner
 * Central. Nothing is stored by Dealreg: Partner Central's invitation status is the record.
 * Dealreg co-sells in the catalog the policy names (`coSell.catalog`); links open referrals there.
 */
export interface AwsReferralPageDependencies extends AwsReferralDependencies, SignedLinkDependencies {}

export interface AwsReferralEmailDependencies extends AwsReferralDependencies {
  readonly mailer: Mailer;
  readonly signingKey: SignedLinkDependencies['signingKey'];
  /** The API's base URL the review link points into. */
  readonly apiBaseUrl: string;
}

/** The referral was already accepted or rejected (409). */
export class ReferralAlreadyAnsweredError extends AlreadyDoneError<{ status: 'ACCEPTED' | 'REJECTED' }> {
  override readonly name = 'ReferralAlreadyAnsweredError';
}

/** The referral expired before it was answered (410). */
export class ReferralExpiredError extends NoLongerOpenError<{ expiresAt: string | undefined }> {
  override readonly name = 'ReferralExpiredError';
}

/** Reviews a new referral and emails its reviewer the link to the referral page. */
export async function sendAwsReferralReview(
  deps: AwsReferralEmailDependencies,
  invitationId: string,
): Promise<AwsReferralReview> {
  const review = await reviewAwsReferral(deps, deps.policy.policy.coSell.catalog, invitationId);
  const url = await signedLink(await deps.signingKey(), referralLinks, deps.apiBaseUrl, {
    subject: invitationId,
    holder: review.reviewer.email,
    expiresAt: referralLinkExpiry(review.referral.expiresAt, deps.now()),
  });
  await deps.mailer.send(renderAwsReferralReviewEmail(review, url));
  return review;
}

function referralPage(deps: AwsReferralPageDependencies) {
  return linkPage(deps, referralLinks, {
    async load(invitationId) {
      try {
        return await reviewAwsReferral(deps, deps.policy.policy.coSell.catalog, invitationId);
      } catch (error) {
        if (error instanceof CoSellOpportunityNotFoundError) {
          throw new NotFoundError(`Partner Central has no referral ${invitationId}`, { cause: error });
        }
        throw error;
      }
    },
    holder: (review) => ({ email: review.reviewer.email }),
  });
}

export type AwsReferralView =
  | {
      readonly state: 'pending';
      readonly review: AwsReferralReview;
      readonly token: string;
      readonly nonce: string;
    }
  | { readonly state: 'answered'; readonly review: AwsReferralReview };

/** `GET`: the referral with its conflict check, and the form while it is pending. */
export async function viewAwsReferral(
  deps: AwsReferralPageDependencies,
  opening: LinkOpening,
): Promise<AwsReferralView> {
  const page = referralPage(deps);
  const review = await page.open(opening);
  if (review.referral.status !== 'PENDING') return { state: 'answered', review };
  const token = opening.token ?? '';
  return { state: 'pending', review, token, nonce: await page.nonce({ subject: opening.subject, token }) };
}

/** The page's form: accept, or reject with the reason AWS is shown. */
export const referralAnswerSchema = z.discriminatedUnion(
  'answer',
  [
    z.object({ answer: z.literal('accept') }),
    z.object({
      answer: z.literal('reject'),
      // One line of at most 80 characters, as RejectEngagementInvitation takes it.
      reason: z
        .string({ error: 'is required: say why the referral is rejected' })
        .max(maxTextLength, `may be at most ${rejectionReasonMaxLength} characters`)
        .transform((text, context) => {
          const checked = awsRejectionReason(text);
          if ('problem' in checked) {
            context.addIssue({ code: 'custom', message: checked.problem });
            return z.NEVER;
          }
          return checked.reason;
        }),
    }),
  ],
  { error: 'must be accept or reject' },
);
export type ReferralAnswer = z.infer<typeof referralAnswerSchema>;

function refuseWhenAnswered(referral: AwsReferral): void {
  if (referral.status === 'ACCEPTED' || referral.status === 'REJECTED') {
    throw new ReferralAlreadyAnsweredError(`the referral was already ${referral.status.toLowerCase()}`, {
      status: referral.status,
    });
  }
  if (referral.status === 'EXPIRED') {
    throw new ReferralExpiredError('the referral expired before it was answered', {
      expiresAt: referral.expiresAt,
    });
  }
}

/** `POST`: accepts or rejects the referral in Partner Central; nothing changes on a bad form. */
export async function answerAwsReferral(
  deps: AwsReferralPageDependencies,
  submission: FormSubmission<Record<'answer' | 'reason', string | undefined>>,
): Promise<{ readonly review: AwsReferralReview; readonly answer: ReferralAnswer }> {
  const page = referralPage(deps);
  const review = await page.open(submission);
  await page.checkNonce(submission);
  const answer = readForm(referralAnswerSchema, submission.fields);
  refuseWhenAnswered(review.referral);
  const referrals = deps.referrals(review.catalog);
  try {
    if (answer.answer === 'accept') await referrals.accept(review.referral.invitationId);
    else await referrals.reject(review.referral.invitationId, answer.reason);
  } catch (error) {
    // Answered (or expired) between the page's reading and this call: say what Partner Central has.
    if (error instanceof CoSellConflictError)
      refuseWhenAnswered(await referrals.get(review.referral.invitationId));
    throw error;
  }
  deps.logger.info('AWS referral answered', {
    invitationId: review.referral.invitationId,
    answer: answer.answer,
    by: review.reviewer.email,
  });
  return { review: { ...review, referral: await referrals.get(review.referral.invitationId) }, answer };
}
