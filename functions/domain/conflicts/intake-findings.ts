import { DateTime } from 'luxon';
import { comparableDomain, isFreeEmailDomain, registrableDomain } from '#domain/normalise.ts';
import type { Policy } from '#domain/policy/policy-schema.ts';
import type { ConflictVerdict, IntakeFinding } from './conflict-verdict.ts';

/** The partner company a registration is for, as HubSpot holds it. */
export interface PartnerCompanyDomains {
  readonly name?: string | undefined;
  /** Its primary domain as stored (not normalised); null when HubSpot has none. */
  readonly domain: string | null;
  /** Its other domains as stored (`hs_additional_domains`). */
  readonly additionalDomains?: readonly string[] | undefined;
}

/** The comparable domains of a partner company, primary first, without repeats. */
export function partnerDomains(partner: PartnerCompanyDomains): string[] {
  const all = [partner.domain, ...(partner.additionalDomains ?? [])]
    .filter((domain): domain is string => domain !== null && domain.trim() !== '')
    .map(comparableDomain);
  return [...new Set(all)];
}

/**
 * Why the submitter may not be registering for their own company, or undefined when their
 * address is at one of the partner company's domains (compared by registrable domain, so
 * `pat@eu.partnerco.com` is at `partnerco.com`).
 */
export function submitterFinding(
  submitterEmail: string,
  partner: PartnerCompanyDomains,
): IntakeFinding | undefined {
  const domains = partnerDomains(partner);
  const at = comparableDomain(registrableDomain(submitterEmail) ?? submitterEmail.split('@').pop() ?? '');
  const name = partner.name?.trim() || 'the partner company';
  if (domains.length === 0) {
    return {
      id: 'submitter-not-at-partner',
      reason: `Submitted by ${submitterEmail}, but ${name} has no domain in HubSpot, so whether the submitter works there cannot be checked.`,
    };
  }
  if (domains.includes(at)) return undefined;
  const [primary, ...others] = domains;
  const possessive = name.endsWith('s') ? `${name}'` : `${name}'s`;
  const where = `${possessive} domain ${primary}${others.length === 0 ? '' : ` (or ${others.join(', ')})`}`;
  const who = isFreeEmailDomain(at) ? 'a free email address, not one' : 'who is not';
  return {
    id: 'submitter-not-at-partner',
    reason: `Submitted by ${submitterEmail}, ${who} at ${where}.`,
  };
}

/**
 * Why the expected close date is too far ahead to be taken at its word, or undefined: later than
 * `closeDateHorizonMonths` after the day (UTC) Dealreg received the registration.
 */
export function closeDateFinding(
  expectedCloseDate: string,
  receivedAt: string,
  months: number,
): IntakeFinding | undefined {
  const receivedOn = DateTime.fromISO(receivedAt, { zone: 'utc' }).startOf('day');
  const latest = receivedOn.plus({ months }).toISODate();
  if (latest === null || expectedCloseDate <= latest) return undefined;
  return {
    id: 'close-date-beyond-horizon',
    reason: `The expected close date ${expectedCloseDate} is more than ${months} month${months === 1 ? '' : 's'} after the registration was received (${receivedOn.toISODate()}), past the policy's latest plausible close date of ${latest}.`,
  };
}

/** What the registration itself, besides its conflicts, asks an approver to look at, under the policy. */
export function intakeFindings(
  registration: {
    readonly submitterEmail: string;
    readonly expectedCloseDate: string;
    readonly receivedAt: string;
  },
  partner: PartnerCompanyDomains,
  policy: Pick<Policy, 'intake'>,
): IntakeFinding[] {
  const findings = [
    policy.intake.submitterMustBeAtPartner
      ? submitterFinding(registration.submitterEmail, partner)
      : undefined,
    closeDateFinding(
      registration.expectedCloseDate,
      registration.receivedAt,
      policy.intake.closeDateHorizonMonths,
    ),
  ];
  return findings.filter((finding): finding is IntakeFinding => finding !== undefined);
}

/**
 * The verdict with the intake findings: a clear one needs review instead, and the reason says
 * why; a stricter outcome stays. The relationship and compensation are the verdict's, so an
 * approver may still approve.
 */
export function withIntakeFindings(
  verdict: ConflictVerdict,
  findings: readonly IntakeFinding[],
): ConflictVerdict {
  if (findings.length === 0) return verdict;
  return {
    ...verdict,
    outcome: verdict.outcome === 'clear' ? 'needs-review' : verdict.outcome,
    reason: [verdict.reason, ...findings.map((finding) => finding.reason)].join(' '),
    intakeFindings: [...findings],
  };
}
