import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
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

/** A Partner Central engagement-invitation event (detail types `Engagement Invitation …`). */
const engagementInvitationEventSchema = z.object({
  id: z.string().min(1),
  source: z.literal('aws.partnercentral-selling'),
  'detail-type': z.string().startsWith('Engagement Invitation '),
});

interface CoSellEventsHandlerDependencies extends CoSellStatusDependencies {
  readonly logger: Logger;
}

/**
 * The EventBridge target of Partner Central's opportunity events: reads the opportunity and
 * records a change of AWS's review or stage on the deal's chain (`recordCoSellStatus`). An event
 * that is not an opportunity event fails loudly (the rule should not have sent it); Partner
 * Central's throttling and outages propagate, so EventBridge retries the delivery.
 */
export function createCoSellEventsHandler(deps: CoSellEventsHandlerDependencies) {
  return middy<unknown, CoSellStatusOutcome>()
    .use(injectLambdaContext(deps.logger))
    .handler(async (event) => {
      // The rule also routes engagement invitations (AWS-originated opportunities) here; Dealreg
      // shares its own registrations and does not act on them yet, so they are acknowledged.
      const invitation = engagementInvitationEventSchema.safeParse(event);
      if (invitation.success) {
        deps.logger.info('engagement invitation event not acted upon', {
          eventId: invitation.data.id,
          detailType: invitation.data['detail-type'],
        });
        return { outcome: 'not-ours', reason: 'engagement invitations are not acted upon' };
      }
      const parsed = partnerCentralEventSchema.safeParse(event);
      if (!parsed.success) {
        throw new Error(
          `not a Partner Central opportunity event: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
        );
      }
      const { detail, id } = parsed.data;
      const outcome = await recordCoSellStatus(deps, detail.catalog, detail.opportunity.identifier);
      deps.logger.info('co-sell event handled', { eventId: id, ...outcome });
      return outcome;
    });
}
