import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { type AwsReferralEmailDependencies, sendAwsReferralReview } from '#use-cases/aws-referral-page.ts';
import {
  type CoSellStatusDependencies,
  type CoSellStatusOutcome,
  recordCoSellStatus,
} from '#use-cases/co-sell-status.ts';

/**
 * A Partner Central opportunity event as EventBridge delivers it ("Notifications for the AWS
 * Partner Central Selling API"; source `aws.partnercentral-selling`, detail types `Opportunity
 * Created`, `Opportunity Updated` and others naming an opportunity). Only what is used is read.
 */
export const partnerCentralEventSchema = z.object({
  id: z.string().min(1),
  source: z.literal('aws.partnercentral-selling'),
  'detail-type': z.string().startsWith('Opportunity '),
  detail: z.object({
    catalog: z.enum(['Sandbox', 'AWS']),
    opportunity: z.object({ identifier: z.string().regex(/^O[0-9]{1,19}$/) }),
  }),
});

/**
 * An engagement invitation event: an AWS referral was created, accepted, rejected or expired
 * ("Notifications for the AWS Partner Central Selling API"; "AWS Partner Central Selling events"
 * in the EventBridge events reference). The detail names the invitation (`engi-` id, or its
 * ARN); the rest is read with GetEngagementInvitation.
 */
export const engagementInvitationEventSchema = z.object({
  id: z.string().min(1),
  source: z.literal('aws.partnercentral-selling'),
  'detail-type': z.enum([
    'Engagement Invitation Created',
    'Engagement Invitation Accepted',
    'Engagement Invitation Rejected',
    'Engagement Invitation Expired',
  ]),
  detail: z.object({
    catalog: z.enum(['Sandbox', 'AWS']),
    engagementInvitation: z.object({ id: z.string().regex(/^(arn:.*|engi-[0-9a-z]{13})$/) }),
  }),
});

export type AwsReferralOutcome =
  | {
      readonly outcome: 'referral-checked';
      readonly invitationId: string;
      readonly conflict: string;
      readonly reviewer: string;
    }
  | { readonly outcome: 'referral-status'; readonly invitationId: string; readonly status: string };

interface CoSellEventsHandlerDependencies extends CoSellStatusDependencies {
  readonly logger: Logger;
  /** AWS referrals; without them engagement invitation events are logged and left alone. */
  readonly referrals?: AwsReferralEmailDependencies | undefined;
}

/**
 * The EventBridge target of Partner Central's opportunity events: reads the opportunity and
 * records a change of AWS's review or stage on the deal's chain (`recordCoSellStatus`). An event
 * that is not an opportunity event fails loudly (the rule should not have sent it); Partner
 * Central's throttling and outages propagate, so EventBridge retries the delivery.
 */
export function createCoSellEventsHandler(deps: CoSellEventsHandlerDependencies) {
  return middy<unknown, CoSellStatusOutcome | AwsReferralOutcome | undefined>()
    .use(injectLambdaContext(deps.logger))
    .handler(async (event) => {
      const invitation = engagementInvitationEventSchema.safeParse(event);
      if (invitation.success) return handleInvitationEvent(deps, invitation.data);
      const parsed = partnerCentralEventSchema.safeParse(event);
      if (!parsed.success) {
        throw new Error(
          `not a Partner Central opportunity or engagement invitation event: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
        );
      }
      const { detail, id } = parsed.data;
      const outcome = await recordCoSellStatus(deps, detail.catalog, detail.opportunity.identifier);
      deps.logger.info('co-sell event handled', { eventId: id, ...outcome });
      return outcome;
    });
}

/**
 * An AWS referral's event. Created: the referral is read, put through the conflict check and its
 * reviewer emailed the referral page's link (`sendAwsReferralReview`); the verdict is logged.
 * Referrals in another catalog than the policy's `coSell.catalog` are logged and left alone. Accepted, Rejected, Expired:
 * the status Partner Central now gives is logged. No ledger entry is written: no entry type
 * records a referral.
 */
async function handleInvitationEvent(
  deps: CoSellEventsHandlerDependencies,
  event: z.infer<typeof engagementInvitationEventSchema>,
): Promise<AwsReferralOutcome | undefined> {
  const { detail } = event;
  const invitationId = detail.engagementInvitation.id;
  if (deps.referrals === undefined) {
    deps.logger.warn('AWS referral event left alone: referrals are not configured', {
      eventId: event.id,
      detailType: event['detail-type'],
      invitationId,
    });
    return undefined;
  }
  if (detail.catalog !== deps.referrals.policy.policy.coSell.catalog) {
    deps.logger.warn('AWS referral event left alone: not in the policy’s co-sell catalog', {
      eventId: event.id,
      catalog: detail.catalog,
      invitationId,
    });
    return undefined;
  }
  if (event['detail-type'] === 'Engagement Invitation Created') {
    const review = await sendAwsReferralReview(deps.referrals, invitationId);
    const outcome: AwsReferralOutcome = {
      outcome: 'referral-checked',
      invitationId,
      conflict: review.verdict === undefined ? 'unchecked (no customer website)' : review.verdict.outcome,
      reviewer: review.reviewer.email,
    };
    deps.logger.info('AWS referral checked for channel conflict and sent for review', {
      eventId: event.id,
      ...outcome,
      ruleId: review.verdict?.ruleId,
      customerDomain: review.customerDomain,
    });
    return outcome;
  }
  const referral = await deps.referrals.referrals(detail.catalog).get(invitationId);
  const outcome: AwsReferralOutcome = {
    outcome: 'referral-status',
    invitationId,
    status: referral.status ?? 'unknown',
  };
  deps.logger.info('AWS referral answered', {
    eventId: event.id,
    detailType: event['detail-type'],
    ...outcome,
  });
  return outcome;
}
