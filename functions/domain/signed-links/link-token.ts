import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { type ApprovalStep, approvalSteps } from './approval-task.ts';
import { ApprovalLinkRejectedError } from './errors.ts';
import type { ApprovalSigningKey } from './signing-key.ts';

/**
 * Approval link tokens: `v1.<claims>.<mac>`, both parts base64url. The claims are the approval
 * id, the approver's email, the step and the expiry (epoch seconds); the MAC is HMAC-SHA256 over
 * the encoded claims, so changing any of them, or the MAC, makes the token forged.
 */

export interface LinkClaims {
  readonly approvalId: string;
  /** Lower-cased. */
  readonly approverEmail: string;
  readonly step: ApprovalStep;
  readonly expiresAt: Date;
}

const version = 'v1';
const macBytes = 32;
const claimsSchema = z.tuple([z.string().min(1), z.string().min(1), z.enum(approvalSteps), z.number().int()]);

/** Signs a link token for one approver at one step of one approval, valid until `expiresAt`. */
export function signLinkToken(key: ApprovalSigningKey, claims: LinkClaims): string {
  const expiry = Math.floor(claims.expiresAt.getTime() / 1000);
  const encoded = Buffer.from(
    JSON.stringify([claims.approvalId, claims.approverEmail.trim().toLowerCase(), claims.step, expiry]),
  ).toString('base64url');
  return `${version}.${encoded}.${key.signLink(`${version}.${encoded}`).toString('base64url')}`;
}

/** Whether two MACs are equal, in time independent of where they differ. */
export function macsEqual(expected: Buffer, given: Buffer): boolean {
  return expected.byteLength === given.byteLength && timingSafeEqual(expected, given);
}

/** Whether `given` equals one of the accepted MACs; every candidate is compared in constant time. */
export function anyMacEqual(accepted: readonly Buffer[], given: Buffer): boolean {
  let found = false;
  for (const expected of accepted) if (macsEqual(expected, given)) found = true;
  return found;
}

/**
 * Verifies a link token for the approval at `approvalId`: the MAC first (compared in constant
 * time), then that it names this approval, then its expiry. Throws `ApprovalLinkRejectedError`
 * saying which check failed; whether it names the current approver is for the caller to check.
 */
export function verifyLinkToken(
  key: ApprovalSigningKey,
  token: string,
  expected: { approvalId: string; now: Date },
): LinkClaims {
  const parts = token.split('.');
  const [tokenVersion, encoded, mac] = parts;
  if (parts.length !== 3 || tokenVersion !== version || !encoded || !mac || !/^[\w-]+$/.test(mac)) {
    throw new ApprovalLinkRejectedError('malformed', 'the approval link is incomplete or damaged');
  }
  const given = Buffer.from(mac, 'base64url');
  // Only the canonical spelling is accepted: the last base64url character has spare bits, so
  // another spelling of the same MAC would be an altered token that still verified.
  const canonical = given.toString('base64url') === mac;
  if (
    !canonical ||
    given.byteLength !== macBytes ||
    !anyMacEqual(key.acceptedLinkMacs(`${version}.${encoded}`), given)
  ) {
    throw new ApprovalLinkRejectedError(
      'forged',
      'the approval link was not issued by Dealreg or was altered',
    );
  }
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
  } catch (error) {
    // A correctly signed token always carries valid claims; this guards against key misuse.
    throw new ApprovalLinkRejectedError('malformed', 'the approval link carries unreadable claims', {
      cause: error,
    });
  }
  const [approvalId, approverEmail, step, expiry] = claims;
  if (approvalId !== expected.approvalId) {
    throw new ApprovalLinkRejectedError('wrong-approval', 'the approval link belongs to another approval');
  }
  const expiresAt = new Date(expiry * 1000);
  if (expected.now.getTime() >= expiresAt.getTime()) {
    throw new ApprovalLinkRejectedError('expired', `the approval link expired at ${expiresAt.toISOString()}`);
  }
  return { approvalId, approverEmail, step, expiresAt };
}

/** The link an approver receives: `GET {apiBaseUrl}/approvals/{approvalId}?t={token}`. */
export function approvalLink(apiBaseUrl: string, approvalId: string, token: string): string {
  const base = apiBaseUrl.endsWith('/') ? apiBaseUrl : `${apiBaseUrl}/`;
  const url = new URL(`approvals/${encodeURIComponent(approvalId)}`, base);
  url.searchParams.set('t', token);
  return url.toString();
}

/**
 * The emailed link for a task: signed for its approval, approver and step, valid until
 * `expiresAt` (the workflow passes the final deadline of the step, after which the link has no
 * use).
 */
export function approvalLinkFor(
  key: ApprovalSigningKey,
  apiBaseUrl: string,
  task: { approvalId: string; approver: { email: string }; step: ApprovalStep },
  expiresAt: Date,
): string {
  const token = signLinkToken(key, {
    approvalId: task.approvalId,
    approverEmail: task.approver.email,
    step: task.step,
    expiresAt,
  });
  return approvalLink(apiBaseUrl, task.approvalId, token);
}
