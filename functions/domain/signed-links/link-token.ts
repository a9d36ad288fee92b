import * as z from 'zod';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import { LinkRefusedError } from './errors.ts';
import { signToken, verifyToken } from './signed-token.ts';
import type { ApprovalSigningKey } from './signing-key.ts';

/**
 * Emailed links that open one page for one person: the link token (the `t` query parameter)
 * names what the page is for (the purpose, as the token's audience), the approval or
 * registration it opens (`sub`), the person it was sent to (`email`, lower-cased), what they may
 * do there (`scope`, e.g. the approval step) and its expiry. A new kind of link is a
 * `LinkPurpose` and a route.
 */

/** What a kind of emailed link is for, and the words its refusals use. */
export interface LinkPurpose {
  /** The token audience of its links; its page nonces are for `${name}-page`. */
  readonly name: string;
  /** "approval link" */
  readonly link: string;
  /** "approval page" */
  readonly page: string;
  /** What the page's form sends: "decision". */
  readonly act: string;
  /** What the link opens: "approval"; a link used on another is refused as `wrong-approval`. */
  readonly subject: string;
  /** Who else a link may have been sent to, as in "issued to another approver". */
  readonly otherHolder: string;
  /** The refusal of a link issued to someone else: `wrong-approver`. */
  readonly wrongHolder: `wrong-${string}`;
  /** The page's path under the API base URL, e.g. `approvals/{approvalId}`. */
  path(subject: string): string;
}

export interface LinkClaims {
  /** The approval, registration… the link opens. */
  readonly subject: string;
  /** The email address the link was sent to; lower-cased when signed. */
  readonly holder: string;
  /** What the holder may do there, when a purpose distinguishes it (the approval step). */
  readonly scope?: string | undefined;
  readonly expiresAt: Date;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  email: z.string().min(1),
  scope: z.string().min(1).optional(),
});

/** Signs a link token for one person and one approval, registration…, valid until `expiresAt`. */
export function signLinkToken(
  key: ApprovalSigningKey,
  purpose: LinkPurpose,
  claims: LinkClaims,
): Promise<string> {
  return signToken(
    key,
    purpose.name,
    { sub: claims.subject, email: claims.holder.trim().toLowerCase(), scope: claims.scope },
    claims.expiresAt,
  );
}

/**
 * Verifies a link token for the page of `expected.subject`: its MAC (current or previous key),
 * that it is a link of this purpose, its expiry, then that it names this subject. Throws
 * `LinkRefusedError` saying which check failed, or what `whenExpired` makes of an expired link
 * (an extension link expires with its offer: 410). Whether it names the right person is
 * `checkLinkHolder`'s to say, once the caller has loaded what the link opens.
 */
export async function verifyLinkToken(
  key: ApprovalSigningKey,
  purpose: LinkPurpose,
  token: string,
  expected: {
    subject: string;
    now: Date;
    whenExpired?: ((claims: LinkClaims) => Error) | undefined;
  },
): Promise<LinkClaims> {
  const check = await verifyToken(key, token, purpose.name, expected.now);
  if (!check.valid && check.refusal !== 'expired') {
    throw check.refusal === 'malformed'
      ? new LinkRefusedError('malformed', `the ${purpose.link} is incomplete or damaged`)
      : new LinkRefusedError('forged', `the ${purpose.link} was not issued by Dealreg or was altered`);
  }
  const parsed = claimsSchema.safeParse(check.claims);
  if (!parsed.success) {
    // A token Dealreg signed always carries these claims; this guards against key misuse.
    throw new LinkRefusedError('malformed', `the ${purpose.link} carries unreadable claims`, {
      cause: parsed.error,
    });
  }
  const { sub, email, scope } = parsed.data;
  if (sub !== expected.subject) {
    throw new LinkRefusedError(
      `wrong-${purpose.subject}`,
      `the ${purpose.link} belongs to another ${purpose.subject}`,
    );
  }
  const claims = { subject: sub, holder: email, scope, expiresAt: new Date(Number(check.claims.exp) * 1000) };
  if (!check.valid) {
    throw (
      expected.whenExpired?.(claims) ??
      new LinkRefusedError(
        'expired',
        `the ${purpose.link} expired on ${formatDeadline(claims.expiresAt, 'UTC')}`,
      )
    );
  }
  return claims;
}

/** Email addresses compare case-insensitively. */
function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Refuses a link issued to someone other than `holder` (or for another scope, e.g. step). */
export function checkLinkHolder(
  purpose: LinkPurpose,
  claims: LinkClaims,
  holder: { readonly email: string; readonly scope?: string },
): void {
  if (!sameEmail(claims.holder, holder.email) || claims.scope !== holder.scope) {
    throw new LinkRefusedError(
      purpose.wrongHolder,
      `the ${purpose.link} was issued to ${purpose.otherHolder}`,
    );
  }
}

/** The page's URL with the token as `t`: `{apiBaseUrl}/{purpose.path(subject)}?t={token}`. */
export function linkUrl(purpose: LinkPurpose, apiBaseUrl: string, subject: string, token: string): string {
  const base = apiBaseUrl.endsWith('/') ? apiBaseUrl : `${apiBaseUrl}/`;
  const url = new URL(purpose.path(subject), base);
  url.searchParams.set('t', token);
  return url.toString();
}

/** The link emailed to `claims.holder`: signed for them and the subject, valid until `claims.expiresAt`. */
export async function signedLink(
  key: ApprovalSigningKey,
  purpose: LinkPurpose,
  apiBaseUrl: string,
  claims: LinkClaims,
): Promise<string> {
  return linkUrl(purpose, apiBaseUrl, claims.subject, await signLinkToken(key, purpose, claims));
}
