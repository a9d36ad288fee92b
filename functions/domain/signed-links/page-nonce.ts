import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ApprovalLinkRejectedError } from './errors.ts';
import { anyMacEqual } from './link-token.ts';
import type { ApprovalSigningKey } from './signing-key.ts';

/**
 * Per-page nonces: the confirmation page embeds one, and a decision is accepted only with a
 * nonce that was issued for this approval and this link token, less than `pageNonceLifetimeMs`
 * ago. A POST built from the emailed link alone, without rendering the page, is refused.
 * Format: `v1.<random>.<expiry seconds>.<mac>`.
 */

/** How long an approver may keep the page open before deciding. */
export const pageNonceLifetimeMs = 30 * 60 * 1000;

const version = 'v1';
const nonceSchema = z.tuple([
  z.literal(version),
  z.string().regex(/^[\w-]{22}$/),
  z.string().regex(/^\d{1,12}$/),
  z.string().regex(/^[\w-]{43}$/),
]);

function macInput(approvalId: string, token: string, random: string, expiry: string): string {
  const tokenDigest = createHash('sha256').update(token).digest('base64url');
  return JSON.stringify([version, approvalId, tokenDigest, random, expiry]);
}

/** Issues the nonce for one rendering of the page of `approvalId` opened with `token`. */
export function issuePageNonce(
  key: ApprovalSigningKey,
  approvalId: string,
  token: string,
  now: Date,
): string {
  const random = randomBytes(16).toString('base64url');
  const expiry = String(Math.floor((now.getTime() + pageNonceLifetimeMs) / 1000));
  const mac = key.signNonce(macInput(approvalId, token, random, expiry)).toString('base64url');
  return `${version}.${random}.${expiry}.${mac}`;
}

/** Verifies a page nonce for `approvalId` and `token`; throws `ApprovalLinkRejectedError`. */
export function verifyPageNonce(
  key: ApprovalSigningKey,
  nonce: string,
  expected: { approvalId: string; token: string; now: Date },
): void {
  const parsed = nonceSchema.safeParse(nonce.split('.'));
  if (!parsed.success) {
    throw new ApprovalLinkRejectedError('malformed', 'the decision did not come from the approval page');
  }
  const [, random, expiry, mac] = parsed.data;
  const accepted = key.acceptedNonceMacs(macInput(expected.approvalId, expected.token, random, expiry));
  const given = Buffer.from(mac, 'base64url');
  if (given.toString('base64url') !== mac || !anyMacEqual(accepted, given)) {
    throw new ApprovalLinkRejectedError('forged', 'the decision did not come from this approval page');
  }
  if (expected.now.getTime() >= Number(expiry) * 1000) {
    throw new ApprovalLinkRejectedError(
      'expired',
      'the approval page was open too long; open the link from your email again',
    );
  }
}
