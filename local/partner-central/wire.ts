import { randomBytes } from 'node:crypto';
import { PartnerCentralFault, validationFault } from './errors.ts';
import { shapeProblems } from './service-model.ts';

type Json = Record<string, unknown>;

/**
 * Checks a request against the model (ValidationException listing every problem, as Partner
 * Central's ErrorList does: "ValidationException" and "ValidationExceptionError" in the AWS Partner
 * Central API reference) and returns its catalog. Catalogs: "AWS" and "Sandbox" (each operation's
 * `Catalog` request parameter); another catalog is refused as AccessDeniedException.
 */
export function checked(shape: string, request: Json): string {
  const problems = shapeProblems(shape, request, 'wire');
  if (problems.length > 0) {
    throw validationFault(`${problems.length} validation error(s) detected`, problems);
  }
  const catalog = String(request.Catalog);
  if (catalog !== 'AWS' && catalog !== 'Sandbox') {
    throw new PartnerCentralFault('AccessDeniedException', `Catalog ${catalog} is not accessible`);
  }
  return catalog;
}

/** The stand-in's key of a resource: its id within its catalog. */
export function catalogKey(catalog: string, id: string): string {
  return `${catalog}\u0000${id}`;
}

/**
 * A list operation's NextToken ("ListOpportunities", "ListEngagementInvitations": the token of the
 * next page, absent on the last): where the next page starts, opaque to the caller.
 */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

/** Reads a NextToken this stand-in gave; anything else is a ValidationException. */
export function decodeToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // answered below
  }
  throw validationFault('The NextToken is invalid');
}

/**
 * `length` random characters of 0-9 and a-z, as Partner Central's ids are patterned
 * (`O[0-9]{1,19}` for opportunities, `engi-[0-9a-z]{13}` for invitations: "Opportunity",
 * "EngagementInvitationSummary" in the API reference).
 */
export function randomId(length: number): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}
