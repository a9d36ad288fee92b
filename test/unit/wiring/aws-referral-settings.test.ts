import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { readAwsReferralReviewSettings } from '#handlers/wiring/aws-referrals.ts';
import { ConfigurationError } from '#handlers/wiring/configuration.ts';

const policyText = readFileSync(new URL('../../../policy/demo-policy.json', import.meta.url), 'utf8');

/** The co-sell events function's environment as the stack sets it with co-sell on (the policy baked in). */
const deployed = {
  REGISTRATIONS_TABLE: 'Registrations',
  LEDGER_TABLE: 'Ledger',
  APPROVALS_TABLE: 'Approvals',
  MAIL_FROM: 'deals@partners.example.com',
  APPROVALS_API_URL: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/',
  APPROVAL_SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:signing-key',
  HUBSPOT_ACCESS_TOKEN_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hubspot-token',
  HUBSPOT_PORTAL_ID: '12345678',
  HUBSPOT_REQUESTS_PER_WINDOW: '10',
  HUBSPOT_SEARCHES_PER_SECOND: '1',
  USD_RATES: '{"EUR":"1.08"}',
  DEALREG_POLICY: policyText,
  DEALREG_POLICY_VERSION: loadPolicy(policyText).policyVersion,
};

describe('the AWS referral review settings of the co-sell events function', () => {
  it('reads every setting the review needs when the stack set them', () => {
    const settings = readAwsReferralReviewSettings(deployed);

    expect(settings).toMatchObject({
      APPROVALS_TABLE: 'Approvals',
      MAIL_FROM: 'deals@partners.example.com',
      APPROVALS_API_URL: deployed.APPROVALS_API_URL,
      HUBSPOT_PORTAL_ID: 12_345_678,
      HUBSPOT_SEARCHES_PER_SECOND: 1,
      USD_RATES: { EUR: '1.08' },
    });
    expect(settings?.DEALREG_POLICY.policy.coSell.enabled).toBe(true);
  });

  it('leaves the review out when none of its settings is set, even with a policy in the code', () => {
    const { REGISTRATIONS_TABLE, LEDGER_TABLE, DEALREG_POLICY } = deployed;

    expect(
      readAwsReferralReviewSettings({ REGISTRATIONS_TABLE, LEDGER_TABLE, DEALREG_POLICY }),
    ).toBeUndefined();
  });

  it('refuses a half-configured review, naming each missing setting and those that were set', () => {
    const { APPROVALS_API_URL: _url, HUBSPOT_PORTAL_ID: _portal, ...half } = deployed;

    expect(() => readAwsReferralReviewSettings(half)).toThrow(ConfigurationError);
    expect(() => readAwsReferralReviewSettings(half)).toThrow(
      /APPROVALS_API_URL: is not set; HUBSPOT_PORTAL_ID: is not set.*the AWS referral review is half-configured: APPROVALS_TABLE, MAIL_FROM/,
    );
  });

  it('refuses the review without a policy in the code', () => {
    const { DEALREG_POLICY: _policy, DEALREG_POLICY_VERSION: _version, ...withoutPolicy } = deployed;

    expect(() => readAwsReferralReviewSettings(withoutPolicy)).toThrow(/DEALREG_POLICY: is not set/);
  });
});
