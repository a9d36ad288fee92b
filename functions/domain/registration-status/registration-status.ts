import * as z from 'zod';
import {
  extensionDecisionSchema,
  extensionOfferSchema,
  extensionRequestSchema,
} from '#domain/extension-requests/extension-offer.ts';
import type { Money } from '#domain/money.ts';
import type { RegistrationDecision, SlaHistory } from '#domain/registration-progress.ts';
import type { RelationshipType } from '#domain/relationship-type.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { reasonForPartner, verdictReasonForPartner } from './reason-for-partner.ts';

/**
 * Where a registration stands, as its partner reads it on the status page: the status in words,
 * the rule that decided it, the SLA deadline while an approver decides, until when the partner is
 * protected, and whether the one extension can be asked for now. Pure: built from the stored
 * registration and the moment it is read.
 */

/** Kept beside the registration by the extension request flow; read here to say where it stands. */
const extensionAttributesSchema = z.object({
  extensionOffer: extensionOfferSchema.optional(),
  extensionRequest: extensionRequestSchema.optional(),
  extensionDecision: extensionDecisionSchema.optional(),
});

export type StatusCode =
  | 'received'
  | 'not-accepted'
  | 'in-review'
  | 'awaiting-information'
  | 'approved'
  | 'declined'
  | 'expired'
  | 'merged';

/** What the extension offer is, as the partner may act on it. */
export type ExtensionStanding =
  /** The offer is open: the page links to the extension request page until `until`. */
  | { readonly state: 'open'; readonly until: string; readonly partnerEmail: string }
  /** Asked for on `at`; an approver decides on it. */
  | { readonly state: 'requested'; readonly at: string }
  /** Asked for on `at` and granted on `decidedAt`: the protection date includes it. */
  | { readonly state: 'granted'; readonly at: string; readonly decidedAt: string }
  /** Asked for on `at` and refused on `decidedAt`, for `reason`: the protection ends as it would have. */
  | { readonly state: 'refused'; readonly at: string; readonly decidedAt: string; readonly reason: string }
  /** Approved, no offer yet: the expiry warning brings it. */
  | { readonly state: 'with-expiry-warning' }
  | { readonly state: 'none' };

/** Where the approval's SLA clock stands, as the partner may rely on it. */
export type SlaStanding =
  /** An approver decides by `decideBy`; the policy's default applies at `defaultAt` when known. */
  | { readonly state: 'running'; readonly decideBy: string; readonly defaultAt?: string | undefined }
  /** Kept before `decideBy` was: the first level's deadline passed, so it went on to the next approver. */
  | { readonly state: 'passed'; readonly deadline: string }
  /** The partner was asked a question: the clock stands still until they answer. */
  | { readonly state: 'paused' };

export interface RegistrationStatus {
  readonly registrationId: string;
  readonly customer: string;
  readonly partner: string;
  readonly amount: Money | undefined;
  readonly status: StatusCode;
  /** One sentence: where it stands. */
  readonly headline: string;
  /** The rule that decided it (or is deciding it), with its reason; absent before the check ran. */
  readonly rule?:
    | {
        readonly id: string;
        readonly reason: string;
        readonly decidedBy?: string;
        /** An approver's own reason, beside the rule's when they gave one. */
        readonly approverReason?: string | undefined;
      }
    | undefined;
  readonly relationshipType?: RelationshipType | undefined;
  /** While an approver decides: by when, and when the policy's default applies; paused while the partner is asked. */
  readonly sla?: SlaStanding | undefined;
  /** Approved: protection runs until then (ISO-8601). */
  readonly protectedUntil?: string | undefined;
  /** Expired: when protection ended. */
  readonly protectionEnded?: string | undefined;
  /** Closed in the CRM while protected: what happened to the protection. */
  readonly closedDeal?:
    | { readonly outcome: 'won' | 'lost'; readonly stage: string; readonly protection: 'kept' | 'ended' }
    | undefined;
  readonly extension: ExtensionStanding;
  /** For a resubmission merged into an earlier registration: that registration. */
  readonly mergedInto?: string | undefined;
}

const headlines: Record<StatusCode, string> = {
  received: 'Received: the conflict check has not finished yet.',
  'not-accepted': 'Not accepted: the submission had problems; submit it again with them corrected.',
  'in-review': 'In review: an approver decides on it.',
  'awaiting-information':
    'Waiting for your answer: an approver asked you a question (the SLA clock is paused).',
  approved: 'Approved: you are protected on this deal.',
  declined: 'Declined: the deal is not registered and no protection applies.',
  expired: 'Expired: the protection has ended.',
  merged: 'Merged: this resubmission answered a question on an earlier registration.',
};

const channelWords = {
  auto: 'automatically under the policy',
  page: 'by an approver',
  'sla-default': 'by the policy default, as nobody decided by the SLA deadline',
} as const;

function extensionStanding(record: StoredRegistration, status: StatusCode, now: Date): ExtensionStanding {
  const { extensionOffer, extensionRequest, extensionDecision } = extensionAttributesSchema.parse(record);
  // Once the protection has ended, nothing about an extension is still to come.
  if (status !== 'approved') return { state: 'none' };
  if (extensionRequest !== undefined) {
    const at = extensionRequest.requestedAt;
    if (extensionDecision === undefined) return { state: 'requested', at };
    return extensionDecision.outcome === 'granted'
      ? { state: 'granted', at, decidedAt: extensionDecision.decidedAt }
      : { state: 'refused', at, decidedAt: extensionDecision.decidedAt, reason: extensionDecision.reason };
  }
  if (extensionOffer !== undefined && now.getTime() < Date.parse(extensionOffer.expiresAt)) {
    return { state: 'open', until: extensionOffer.expiresAt, partnerEmail: extensionOffer.partnerEmail };
  }
  return { state: 'with-expiry-warning' };
}

function slaStanding(status: StatusCode, sla: SlaHistory | undefined, now: Date): SlaStanding | undefined {
  if (status === 'awaiting-information') return { state: 'paused' };
  if (status !== 'in-review' || sla === undefined) return undefined;
  if (sla.decideBy !== undefined)
    return { state: 'running', decideBy: sla.decideBy, defaultAt: sla.defaultAt };
  return now.getTime() < Date.parse(sla.deadline)
    ? { state: 'running', decideBy: sla.deadline }
    : { state: 'passed', deadline: sla.deadline };
}

/** Who decided, through which channel, under which policy version, in one sentence. */
function decidedByLine(decision: RegistrationDecision): string {
  const who =
    decision.unansweredQuestion === true
      ? 'Declined automatically, as your answer to the approver’s question did not arrive in time'
      : `Decided ${channelWords[decision.channel]}${decision.channel === 'page' ? ` (${decision.decidedBy.name})` : ''}`;
  return `${who}, policy version ${decision.policyVersion.slice(0, 12)}.`;
}

/** The status page's content for a stored registration at `now`. */
export function registrationStatus(record: StoredRegistration, now: Date): RegistrationStatus {
  const { details, progress } = record;
  const status: StatusCode =
    details === undefined ? 'not-accepted' : progress === undefined ? 'received' : progress.status;
  const decision = progress?.decision;
  const verdict = progress?.verdict;
  // An approver's own reason is theirs, not the rule's: shown beside the rule's reason.
  const approverReason =
    decision?.channel === 'page' && verdict !== undefined && !decision.reason.includes(verdict.reason)
      ? decision.reason
      : undefined;
  // A question left unanswered is no reason of the rule's: the decided-by line says it.
  const unanswered = decision?.unansweredQuestion === true;
  const rule =
    decision !== undefined
      ? (approverReason !== undefined || unanswered) && verdict !== undefined
        ? {
            id: verdict.ruleId,
            reason: verdictReasonForPartner(verdict),
            decidedBy: decidedByLine(decision),
            approverReason,
          }
        : {
            id: verdict?.ruleId ?? 'policy',
            reason: reasonForPartner(decision.reason, verdict),
            decidedBy: decidedByLine(decision),
          }
      : verdict !== undefined
        ? { id: verdict.ruleId, reason: verdictReasonForPartner(verdict) }
        : undefined;
  const closed = progress?.closedDeal;
  return {
    registrationId: record.registrationId,
    customer: details?.customerCompanyName ?? 'your submission',
    partner: progress?.partnerName ?? details?.partnerDomain ?? '',
    amount: details?.estimatedAmount,
    status,
    headline:
      closed?.protection === 'kept' && status === 'approved'
        ? 'Approved: the deal closed won, and your protection stays.'
        : status === 'declined' && decision?.channel === 'auto' && verdict?.ruleId === 'duplicate'
          ? 'Declined as a duplicate: your earlier registration of this customer stands as it is.'
          : headlines[status],
    rule,
    relationshipType: decision?.outcome === 'approve' ? decision.relationshipType : undefined,
    sla: slaStanding(status, progress?.sla, now),
    protectedUntil: status === 'approved' && closed === undefined ? progress?.expiresAt : undefined,
    protectionEnded: status === 'expired' ? (progress?.expiredAt ?? progress?.expiresAt) : undefined,
    closedDeal: closed,
    extension: closed === undefined ? extensionStanding(record, status, now) : { state: 'none' },
    mergedInto: progress?.answers,
  };
}

/** What the status page shows: the status, and the link to ask for the extension while it is open. */
export interface RegistrationStatusView {
  readonly status: RegistrationStatus;
  /** Relative to the status page: `extension?t=…`, signed for the partner the offer was made to. */
  readonly extensionUrl?: string | undefined;
}
