import type { RequestAccess } from '#domain/signed-links/access.ts';
import { LinkRefusedError } from '#domain/signed-links/errors.ts';
import {
  checkLinkHolder,
  type LinkClaims,
  type LinkPurpose,
  verifyLinkToken,
} from '#domain/signed-links/link-token.ts';
import { issuePageNonce, verifyPageNonce } from '#domain/signed-links/page-nonce.ts';
import type { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';

/**
 * The steps every page an emailed link opens shares, whatever it is for: open the link (its
 * token signed for this purpose and subject, not expired, naming the person the stored item
 * names), issue the page's nonce, accept the page's form only with it, and hand what was done
 * to the waiting workflow — retried later when that failed.
 */

/** A link as opened (`GET`): what it names, its token, and where it was opened from. */
export interface LinkOpening {
  /** The approval, registration… the link's path names. */
  readonly subject: string;
  readonly token: string | undefined;
  readonly access: RequestAccess;
}

/** A page's form as sent (`POST`): the link's token and the page's nonce with the form's fields. */
export interface FormSubmission<Fields> extends LinkOpening {
  readonly nonce: string | undefined;
  readonly fields: Fields;
}

export interface PageLogger {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

export interface SignedLinkDependencies {
  /** The link-signing key; in AWS read (and cached) from Secrets Manager. */
  readonly signingKey: () => Promise<ApprovalSigningKey>;
  readonly now: () => Date;
  readonly logger: PageLogger;
}

/** What a link leads to, and how to tell whether it was sent to the right person. */
interface LinkTarget<Item> {
  /** Loads what the link opens; throws `NotFoundError` when there is nothing to open. */
  load(subject: string): Promise<Item>;
  /** The person (and scope, e.g. step) the stored item says the link must name. */
  holder(item: Item): { readonly email: string; readonly scope?: string };
  /**
   * What an expired (but authentic, and for this subject) link means, when it is not a plain
   * refusal (403): its claims say to whom it was issued and when it expired.
   */
  readonly whenExpired?: (claims: LinkClaims) => Error;
}

/**
 * How long after something was recorded its hand-over to the workflow counts as still under way;
 * opened later than this without a recorded hand-over, it is handed over again.
 */
export const handOverGraceMs = 60_000;

/** The steps of a page a link of one purpose opens, on the items of one target. */
export interface LinkPage<Item> {
  /**
   * Opens a link: checks its token (403 malformed, forged, expired or another subject's), loads
   * what it opens (404), then checks it names the person that item names (403).
   */
  open(link: Omit<LinkOpening, 'access'>): Promise<Item>;
  /** The nonce for one rendering of the page the link opened. */
  nonce(page: { readonly subject: string; readonly token: string }): Promise<string>;
  /** Refuses a form that did not come with the nonce of this page and link (403 `not-from-page`). */
  checkNonce(form: Omit<FormSubmission<unknown>, 'access' | 'fields'>): Promise<void>;
  /**
   * Retries the hand-over of what was recorded on `subject` at `recordedAt` but, a grace period
   * later, still not handed over (the workflow was unreachable). Within the grace period the
   * request that recorded it is still handing it over, and a second hand-over would race it.
   * Failures are logged only: the page shows what is recorded either way.
   */
  retryStalledHandOver(
    recorded: {
      readonly subject: string;
      readonly recordedAt: string;
      readonly handedOverAt: string | undefined;
    },
    handOver: () => Promise<unknown>,
  ): Promise<void>;
}

/** The page links of `purpose` open on the items `target` loads. */
export function linkPage<Item>(
  deps: SignedLinkDependencies,
  purpose: LinkPurpose,
  target: LinkTarget<Item>,
): LinkPage<Item> {
  return {
    async open(link) {
      if (link.token === undefined || link.token === '') {
        throw new LinkRefusedError('malformed', `the ${purpose.link} has no token`);
      }
      const claims = await verifyLinkToken(await deps.signingKey(), purpose, link.token, {
        subject: link.subject,
        now: deps.now(),
        whenExpired: target.whenExpired,
      });
      const item = await target.load(link.subject);
      checkLinkHolder(purpose, claims, target.holder(item));
      return item;
    },
    async nonce(page) {
      return issuePageNonce(await deps.signingKey(), purpose, page, deps.now());
    },
    async checkNonce(form) {
      await verifyPageNonce(await deps.signingKey(), purpose, form.nonce ?? '', {
        subject: form.subject,
        token: form.token ?? '',
        now: deps.now(),
      });
    },
    async retryStalledHandOver(recorded, handOver) {
      if (recorded.handedOverAt !== undefined) return;
      if (deps.now().getTime() - Date.parse(recorded.recordedAt) < handOverGraceMs) return;
      try {
        await handOver();
      } catch (error) {
        deps.logger.error(`${purpose.act} hand-over retry failed`, {
          [purpose.subject]: recorded.subject,
          error,
        });
      }
    },
  };
}

/** Whether a failed `SendTaskSuccess` says the workflow's wait already ended (timed out or answered). */
export function waitClosed(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TaskTimedOut' || error.name === 'TaskDoesNotExist');
}
