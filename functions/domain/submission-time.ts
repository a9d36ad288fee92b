/**
 * When a registration was made, by two clocks:
 * - `submittedAt`, the time the form submission claims. HubSpot's public form-submit API lets
 *   the caller set it, so it is the partner's claim: kept, shown, checked, never trusted;
 * - `receivedAt`, the time Dealreg first received the submission (the webhook or the backfill,
 *   whichever came first). Intake sets it once; a redelivery never moves it.
 * First-registration-wins and every look-back window use `receivedAt`.
 */

/** The earliest claim taken for a time: anything before is seconds mistaken for milliseconds, or junk. */
export const earliestClaim = Date.UTC(2000, 0, 1);
/** The last instant ISO 8601 writes with a four-digit year; later claims are not dates anyone made. */
export const latestClaim = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/**
 * How far after its receipt a claim may lie: clock skew between HubSpot and Dealreg only, the
 * same five minutes the signature check allows. An honest form is never submitted in the future.
 */
export const claimFutureSkewMs = 5 * 60_000;
/**
 * The default `intake.submittedAtToleranceHours`: how long before its receipt a claim may lie.
 * HubSpot retries a workflow webhook for three days, and the backfill (every 15 minutes, looking
 * 15 minutes below its watermark) normally takes a lost one in within about 35 minutes; three
 * days covers both, so an honest late delivery is not refused.
 */
export const defaultSubmittedAtToleranceHours = 72;
/** A number as JSON writes it. */
const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** The longest claim text kept with a rejected submission. */
const maxClaimText = 100;

/**
 * A submission's `submittedAt` as sent, in a form the registrations table can always store and
 * read back: a whole number of milliseconds (a safe integer) as it is, text as it is (cut to 100
 * characters), anything else (a fraction, a number past 2^53, `null`, a list) as its JSON text.
 * Absent stays absent. Applying it twice gives the same value.
 */
export function claimAsSent(value: unknown): number | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > maxClaimText ? text.slice(0, maxClaimText) : text;
}

/** What the claim check found: the claim as an instant, or why it cannot be accepted. */
export type ClaimCheck =
  | { readonly accepted: true; readonly submittedAt: string }
  | {
      readonly accepted: false;
      /** A sentence for the partner and the record. */
      readonly reason: string;
      /** The claim as an ISO-8601 instant, when it is one at all. */
      readonly submittedAt?: string | undefined;
    };

function span(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  if (hours >= 2) return `${Math.floor(hours)} hours`;
  const minutes = Math.max(1, Math.floor(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * Checks a submission's claimed time against the time Dealreg received it. The claim is accepted
 * when it is a whole number of milliseconds since 1970 (a JSON number, or one written as text)
 * that is a date from 2000 to 9999, no more than `toleranceHours` before the receipt and no more
 * than five minutes after it. Pure; never throws, whatever the claim.
 */
export function checkSubmittedAt(claim: unknown, receivedAt: Date, toleranceHours: number): ClaimCheck {
  if (claim === undefined || claim === null) {
    return { accepted: false, reason: 'The submission carries no submission time (submittedAt).' };
  }
  // HubSpot's submit API takes the time as a number or as its digits in a string; a number past
  // what the table stores is kept as its JSON text (`claimAsSent`), and read back as that number.
  const asNumber =
    typeof claim === 'number'
      ? claim
      : typeof claim === 'string' && jsonNumber.test(claim)
        ? Number(claim)
        : undefined;
  if (asNumber === undefined) {
    return {
      accepted: false,
      reason: `The submission time must be a number of milliseconds since 1970, got ${typeof claim === 'string' ? JSON.stringify(claimAsSent(claim)) : String(claimAsSent(claim))}.`,
    };
  }
  return checkClaimedMilliseconds(asNumber, receivedAt, toleranceHours);
}

function checkClaimedMilliseconds(claim: number, receivedAt: Date, toleranceHours: number): ClaimCheck {
  const received = receivedAt.getTime();
  const receivedText = receivedAt.toISOString();
  if (!Number.isInteger(claim)) {
    return {
      accepted: false,
      reason: `The submission time must be a whole number of milliseconds, got ${claim}.`,
    };
  }
  if (claim < earliestClaim) {
    return {
      accepted: false,
      reason: `The submission time ${claim} is before the year 2000 (expected milliseconds since 1970, not seconds).`,
    };
  }
  if (claim > latestClaim) {
    return {
      accepted: false,
      reason: `The submission time ${claim} is past the year 9999: it is not a date.`,
    };
  }
  const submittedAt = new Date(claim).toISOString();
  if (claim > received + claimFutureSkewMs) {
    return {
      accepted: false,
      submittedAt,
      reason: `The submission time ${submittedAt} is ${span(claim - received)} after Dealreg received the registration (${receivedText}); a form cannot be submitted in the future.`,
    };
  }
  const toleranceMs = toleranceHours * 3_600_000;
  if (claim < received - toleranceMs) {
    return {
      accepted: false,
      submittedAt,
      reason: `The submission time ${submittedAt} is ${span(received - claim)} before Dealreg received the registration (${receivedText}), more than the ${toleranceHours} hours allowed. A registration takes its place from when Dealreg receives it: submit the form again.`,
    };
  }
  return { accepted: true, submittedAt };
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * A stored time as an ISO-8601 instant with a four-digit year, or undefined when it is not one
 * (registrations stored before claims were checked may hold `+010000-01-01T…`).
 */
export function validInstant(text: string | undefined): string | undefined {
  if (text === undefined || !isoInstant.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * The time that decides a stored registration's place: when Dealreg received it. Every
 * registration Dealreg stores has `receivedAt` (intake has written it since its first version); a
 * record without one falls back to its claim, when that is a valid instant.
 */
export function priorityTime(record: {
  readonly receivedAt?: string | undefined;
  readonly submittedAt?: string | undefined;
}): string | undefined {
  return validInstant(record.receivedAt) ?? validInstant(record.submittedAt);
}
