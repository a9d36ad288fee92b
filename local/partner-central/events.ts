import { randomUUID } from 'node:crypto';

/**
 * An event as Partner Central sends it to EventBridge: source `aws.partnercentral-selling`, the
 * detail type naming what happened, and a detail that carries the catalog and the opportunity's
 * identifier only (a consumer reads the opportunity with GetOpportunity). Shape from "Notifications
 * for the AWS Partner Central Selling API" (Partner Central API reference, example events) and
 * "AWS Partner Central Selling events" (EventBridge events reference).
 */
export type PartnerCentralEvent = OpportunityEvent | EngagementInvitationEvent;

/** What every event EventBridge delivers carries ("Amazon EventBridge events", event structure). */
interface EventEnvelope<DetailType extends string> {
  readonly version: '1';
  readonly id: string;
  readonly source: 'aws.partnercentral-selling';
  readonly 'detail-type': DetailType;
  readonly time: string;
  readonly region: 'us-east-1';
  readonly account: string;
}

/** The envelope of an event Partner Central sends at `at` (EventBridge writes event times to the second). */
function envelope<DetailType extends string>(
  type: DetailType,
  account: string,
  at: Date,
): EventEnvelope<DetailType> {
  return {
    version: '1',
    id: randomUUID(),
    source: 'aws.partnercentral-selling',
    'detail-type': type,
    time: `${at.toISOString().slice(0, 19)}Z`,
    region: 'us-east-1',
    account,
  };
}

export interface OpportunityEvent extends EventEnvelope<'Opportunity Created' | 'Opportunity Updated'> {
  readonly detail: {
    readonly schemaVersion: '1';
    readonly catalog: string;
    readonly opportunity: { readonly identifier: string };
  };
}

/**
 * An engagement invitation event ("Notifications for the AWS Partner Central Selling API",
 * example `Engagement Invitation Created`; "AWS Partner Central Selling events" lists Created,
 * Accepted, Rejected and Expired): the invitation's ARN in `resources`, and in the detail the
 * catalog and the invitation's id, ARN, engagement, sender and receiver and expiry. A consumer
 * reads the rest with GetEngagementInvitation.
 */
export interface EngagementInvitationEvent
  extends EventEnvelope<
    | 'Engagement Invitation Created'
    | 'Engagement Invitation Accepted'
    | 'Engagement Invitation Rejected'
    | 'Engagement Invitation Expired'
  > {
  readonly resources: readonly string[];
  readonly detail: {
    readonly schemaVersion: '1';
    readonly catalog: string;
    readonly engagementInvitation: {
      readonly id: string;
      readonly arn: string;
      readonly engagementId: string;
      readonly senderAwsAccountId: string;
      readonly senderCompanyName: string;
      readonly receiverAwsAccountId: string;
      readonly participantType: 'RECEIVER';
      readonly expirationDate: string;
    };
  };
}

export function engagementInvitationEvent(
  type: EngagementInvitationEvent['detail-type'],
  catalog: string,
  invitation: Record<string, unknown>,
  account: string,
  at: Date,
): EngagementInvitationEvent {
  const arn = String(invitation.Arn);
  return {
    ...envelope(type, account, at),
    resources: [arn],
    detail: {
      schemaVersion: '1',
      catalog,
      engagementInvitation: {
        id: String(invitation.Id),
        arn,
        engagementId: String(invitation.EngagementId),
        senderAwsAccountId: String(invitation.SenderAwsAccountId),
        senderCompanyName: String(invitation.SenderCompanyName),
        receiverAwsAccountId: account,
        participantType: 'RECEIVER',
        expirationDate: String(invitation.ExpirationDate),
      },
    },
  };
}

/** Where events go: a function (tests, the local stack) or a URL the event is POSTed to as JSON. */
export type EventSink = ((event: PartnerCentralEvent) => void | Promise<void>) | { readonly url: string };

export function opportunityEvent(
  type: OpportunityEvent['detail-type'],
  catalog: string,
  opportunityId: string,
  account: string,
  at: Date,
): OpportunityEvent {
  return {
    ...envelope(type, account, at),
    detail: { schemaVersion: '1', catalog, opportunity: { identifier: opportunityId } },
  };
}

/** Delivers one event; best effort, as EventBridge's delivery of these events is. A failed delivery is returned, not thrown. */
export async function deliver(sink: EventSink, event: PartnerCentralEvent): Promise<string | undefined> {
  try {
    if (typeof sink === 'function') {
      await sink(event);
      return undefined;
    }
    const response = await fetch(sink.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    return response.ok ? undefined : `${sink.url} answered ${response.status}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
