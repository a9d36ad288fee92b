/**
 * What can go wrong on a page reached by a signed link, whatever the page is for. Each kind is
 * answered with one status (the page handlers map them in one place); a flow adds its own kinds
 * only where they carry something different.
 */

/** Why a link or a page's form was refused (all answered 403). */
export type LinkRejection =
  | 'malformed'
  | 'forged'
  | 'expired'
  /** The link names another approval, registration…: `wrong-approval`, `wrong-registration`. */
  | `wrong-${string}`
  /** The page's nonce is missing or forged. */
  | 'not-from-page'
  /** The page's nonce is authentic but older than the page lifetime: the page was open too long. */
  | 'page-expired';

/** The link token or page nonce is forged, tampered with, expired or not this person's (403). */
export class LinkRefusedError extends Error {
  readonly rejection: LinkRejection;

  constructor(rejection: LinkRejection, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LinkRefusedError';
    this.rejection = rejection;
  }
}

/** What the link names does not exist, or has nothing to act on (404); the message says which. */
export class NotFoundError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

/** The link no longer does what it was sent for; `detail` is what its page shows about why. */
export abstract class LinkSpentError<Detail = unknown> extends Error {
  readonly detail: Detail;

  constructor(message: string, detail: Detail) {
    super(message);
    this.name = new.target.name;
    this.detail = detail;
  }
}

/** The one thing the link allows was done already (409); the detail says who did it and when. */
export abstract class AlreadyDoneError<Done = unknown> extends LinkSpentError<Done> {}

/** What the link opened has closed (410): passed on, run out; the detail says how. */
export abstract class NoLongerOpenError<Closure = unknown> extends LinkSpentError<Closure> {}

/** One problem with a field of a page's form. */
interface FormProblem {
  readonly field: string;
  readonly message: string;
}

/** The page's form is incomplete or invalid; names each field (400). */
export class InvalidFormError extends Error {
  readonly problems: readonly FormProblem[];

  constructor(problems: readonly FormProblem[], options?: { cause?: unknown }) {
    super(`the form is incomplete: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, options);
    this.name = 'InvalidFormError';
    this.problems = problems;
  }
}

/** What the person did is recorded, but the waiting workflow could not be resumed yet (503). */
export class HandoverFailedError extends Error {
  /** `done`: what is recorded, e.g. "the decision on approval apr-1". */
  constructor(done: string, options?: { cause?: unknown }) {
    super(`${done} is recorded but the workflow could not be resumed`, options);
    this.name = 'HandoverFailedError';
  }
}
