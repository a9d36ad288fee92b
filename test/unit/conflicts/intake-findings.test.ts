import { describe, expect, it } from 'vitest';
import { closeDateFinding, submitterFinding } from '#domain/conflicts/intake-findings.ts';

const partnerCo = { name: 'Partner Co', domain: 'www.PartnerCo.com', additionalDomains: ['partnerco.de'] };

describe('whether the submitter is at the partner company', () => {
  it('accepts an address at the partner domain, a host of it, or one of its other domains', () => {
    expect(submitterFinding('pat@partnerco.com', partnerCo)).toBeUndefined();
    expect(submitterFinding('pat@EU.PartnerCo.com', partnerCo)).toBeUndefined();
    expect(submitterFinding('pat@partnerco.de', partnerCo)).toBeUndefined();
  });

  it("names the submitter and the partner's domains when the address is at another company", () => {
    expect(submitterFinding('x@othercorp.com', partnerCo)).toEqual({
      id: 'submitter-not-at-partner',
      reason:
        "Submitted by x@othercorp.com, who is not at Partner Co's domain partnerco.com (or partnerco.de).",
    });
  });

  it('says when the address is a free email address', () => {
    expect(submitterFinding('x@gmail.com', { name: 'Partner Co', domain: 'partnerco.com' })?.reason).toBe(
      "Submitted by x@gmail.com, a free email address, not one at Partner Co's domain partnerco.com.",
    );
  });

  it('says when HubSpot holds no domain for the partner company', () => {
    expect(submitterFinding('pat@partnerco.com', { name: 'Partner Co', domain: null })?.reason).toBe(
      'Submitted by pat@partnerco.com, but Partner Co has no domain in HubSpot, so whether the submitter works there cannot be checked.',
    );
  });
});

describe('how far ahead an expected close date may lie', () => {
  it('is at most the horizon after the day of receipt, in UTC', () => {
    expect(closeDateFinding('2028-12-07', '2026-12-07T23:30:00Z', 24)).toBeUndefined();
    expect(closeDateFinding('2028-12-08', '2026-12-07T23:30:00Z', 24)?.id).toBe('close-date-beyond-horizon');
    // A month shorter than the day of receipt ends on its last day.
    expect(closeDateFinding('2027-02-28', '2027-01-31T12:00:00Z', 1)).toBeUndefined();
    expect(closeDateFinding('2027-03-01', '2027-01-31T12:00:00Z', 1)?.reason).toBe(
      "The expected close date 2027-03-01 is more than 1 month after the registration was received (2027-01-31), past the policy's latest plausible close date of 2027-02-28.",
    );
  });
});
