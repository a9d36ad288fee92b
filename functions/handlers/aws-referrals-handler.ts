import type { Logger } from '@aws-lambda-powertools/logger';
import { referralLinks } from '#domain/aws-referrals/referral-link.ts';
import { signedLinkPagesHandler } from '#http/signed-link-pages.ts';
import {
  renderReferralAnsweredPage,
  renderReferralClosedPage,
  renderReferralPage,
} from '#pages/aws-referral-pages.ts';
import {
  type AwsReferralPageDependencies,
  answerAwsReferral,
  ReferralAlreadyAnsweredError,
  ReferralExpiredError,
  viewAwsReferral,
} from '#use-cases/aws-referral-page.ts';

interface AwsReferralsHandlerDependencies extends AwsReferralPageDependencies {
  readonly logger: Logger;
}

/**
 * `GET /aws-referrals/{invitationId}?t=…` renders the referral with its conflict check and
 * changes nothing; `POST /aws-referrals/{invitationId}` (form-encoded from that page) accepts or
 * rejects it in Partner Central. Errors become pages with their status: 403 link or page refused,
 * 404 no such referral, 409 already answered, 410 expired, 400 incomplete answer, 413, 415, 405.
 */
export function createAwsReferralsHandler(deps: AwsReferralsHandlerDependencies) {
  return signedLinkPagesHandler(deps.logger, referralLinks, {
    subjectParameter: 'invitationId',
    notFoundTitle: 'Referral not found',
    formFields: ['answer', 'reason'],
    async view(opening) {
      const view = await viewAwsReferral(deps, opening);
      return renderReferralPage(view.review, view.state === 'pending' ? view : undefined);
    },
    async act(submission) {
      const { review, answer } = await answerAwsReferral(deps, submission);
      return renderReferralAnsweredPage(review, answer.answer);
    },
    errorPage(error) {
      if (error instanceof ReferralAlreadyAnsweredError || error instanceof ReferralExpiredError) {
        return renderReferralClosedPage(error.message.charAt(0).toUpperCase() + error.message.slice(1));
      }
      return undefined;
    },
  });
}
