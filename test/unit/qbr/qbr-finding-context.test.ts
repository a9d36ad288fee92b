import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { renderQbrReportHtml } from '#emails/qbr-report.ts';
import { contextRows, evidenceRows } from '#rendering/qbr-finding-text.ts';
import { qbrReportCsvFiles } from '#rendering/qbr-report-csv.ts';
import { report } from './qbr-fixtures.ts';
import { scenarioChains, scenarioCrm, scenarioRegistrations } from './qbr-scenario.ts';

const compute = (hubspotPortalId?: number) =>
  report({
    chains: scenarioChains(),
    registrations: scenarioRegistrations(),
    crm: scenarioCrm(),
    hubspotPortalId,
  });
const finding = (computed: ReturnType<typeof compute>, code: string, registrationId: string) => {
  const found = computed.findings.find(
    (item) => item.code === code && item.registrationId === registrationId,
  );
  if (found === undefined) throw new Error(`no ${code} for ${registrationId}`);
  return found;
};

describe('a finding a reader can act on', () => {
  it('names the partner, customer, who has it now and the deadline in the policy’s time zone, zone named', () => {
    const waiting = finding(compute(4242), 'SLA_BREACH', 'R6');

    // R6 waits with the fallback first approver (no routing rule, no escalation yet); its SLA deadline
    // 2026-11-09T21:00Z is 16:00 in New York (EST, UTC−5, after the 11-01 clock change).
    expect(contextRows(waiting)).toEqual([
      ['Partner', 'Acme Partners'],
      ['Customer', 'Customer of R6'],
      ['Owner', 'Channel Manager <channel-manager@example.com>'],
      ['Deadline', 'Monday 9 November 2026, 16:00 EST (America/New_York)'],
    ]);
    expect(evidenceRows(waiting.evidence, 'America/New_York')).toEqual([
      ['Approval requested', 'Thu 5 Nov 2026, 10:00 EST'],
      ['SLA deadline', 'Mon 9 Nov 2026, 16:00 EST'],
      ['Reminders sent', '1'],
      ['Escalations', '0'],
      ['Status', 'in-review'],
    ]);
  });

  it('names the approver who let a registration go to the SLA default, not the default itself, as who has to act', () => {
    // R9 was escalated once and nobody decided: the policy default approved it at the final deadline.
    const registrations = scenarioRegistrations().map((item) =>
      item.registrationId === 'R9' && item.progress?.decision !== undefined
        ? {
            ...item,
            progress: {
              ...item.progress,
              decision: {
                ...item.progress.decision,
                decidedBy: {
                  name: 'Policy default at the final deadline',
                  email: 'sla-default@dealreg.invalid',
                },
              },
            },
          }
        : item,
    );
    const computed = report({ chains: scenarioChains(), registrations, crm: scenarioCrm() });

    // The default policy routes a US registration to the channel manager, escalating to the director.
    expect(finding(computed, 'SLA_BREACH', 'R9').context?.owner).toBe(
      'Director of Partnerships <partner-director@example.com> (escalated; the SLA default decided)',
    );
  });

  it('names the approver the policy routes an amount with no USD rate to, as the workflow routed it, not the small-deal one', () => {
    // A registration in a currency without a configured rate has no USD amount: the workflow
    // routes it as a large deal (the rules with a minimum match, those with a maximum do not).
    const largeDeals = loadPolicy({
      routing: {
        rules: [
          {
            name: 'Small deals',
            maxAmountUsd: 100_000,
            firstApprover: 'channel-manager',
            escalationApprover: 'partner-director',
            secondLevelApprover: 'vp-sales',
          },
          {
            name: 'Large deals',
            minAmountUsd: 100_000,
            firstApprover: 'partner-director',
            escalationApprover: 'vp-sales',
            secondLevelApprover: 'vp-sales',
          },
        ],
      },
    });
    const registrations = scenarioRegistrations().map((item) =>
      item.registrationId === 'R6' && item.progress !== undefined
        ? { ...item, progress: { ...item.progress, amountUsdMinor: undefined } }
        : item,
    );
    const computed = report({
      chains: scenarioChains(),
      registrations,
      crm: scenarioCrm(),
      policy: largeDeals.policy,
      policyVersion: largeDeals.policyVersion,
    });

    expect(finding(computed, 'SLA_BREACH', 'R6').context?.owner).toBe(
      'Director of Partnerships <partner-director@example.com>',
    );
  });

  it('labels the value drift of a COSELL_DRIFT finding in words, money as money', () => {
    // The evidence aws-view records when ACE's contract value drifts from the deal's amount.
    const evidence = {
      aceMonthlySpend: '12000.00',
      aceSpendCurrency: 'USD',
      aceContractMonths: 12,
      aceContractValueUsd: 144_000,
      dealAmountUsd: 180_000,
      valueDifferenceUsd: 36_000,
    };

    expect(evidenceRows(evidence, 'America/New_York')).toEqual([
      ['Expected monthly spend in ACE', '12000.00'],
      ['Currency of the spend in ACE', 'USD'],
      ['Months the amount was spread over when shared', '12'],
      ['Contract value in ACE (USD)', '$144,000'],
      ['Deal amount (USD)', '$180,000'],
      ['Difference (USD)', '$36,000'],
    ]);
  });

  it('keeps the cents of an amount in the evidence, so an AMOUNT_DRIFT of cents shows in its figures', () => {
    // The evidence of an AMOUNT_DRIFT: USD 1,000.40 in the ledger, 1,000 in HubSpot.
    const evidence = {
      ledgerAmountMinor: 100_040,
      ledgerCurrency: 'USD',
      ledgerUsd: 1000.4,
      hubspotAmount: 1000,
      hubspotCurrency: 'USD',
      wonUsd: 102_600,
    };

    expect(evidenceRows(evidence, 'America/New_York')).toEqual([
      ['Ledger amount (minor units)', '100,040'],
      ['Ledger currency', 'USD'],
      ['Ledger amount (USD)', '$1,000.40'],
      ['HubSpot amount', '1,000'],
      ['HubSpot currency', 'USD'],
      ['Won (USD)', '$102,600'],
    ]);
  });

  it('gives the amount as money and links the HubSpot deal when the portal id is known', () => {
    const withPortal = finding(compute(4242), 'SLA_BREACH', 'R3');
    const withoutPortal = finding(compute(undefined), 'SLA_BREACH', 'R3');

    // R3 is on O3 (Kite expansion, won 50,000), decided late by the escalation approver.
    expect(contextRows(withPortal)).toEqual([
      ['Partner', 'Beta Cloud'],
      ['Customer', 'Customer of R3'],
      ['Deal', 'Kite expansion'],
      ['Amount', '$50,000'],
      ['Owner', 'Director <partner-director@example.com> (decided)'],
      ['Deadline', 'Wednesday 14 October 2026, 17:00 EDT (America/New_York)'],
      ['HubSpot deal', 'https://app.hubspot.com/contacts/4242/record/0-3/O3'],
    ]);
    expect(withoutPortal.context?.links).toEqual([]);
  });

  it('shows the same context in the CSV row and the HTML page, evidence as a table', async () => {
    const computed = compute(4242);
    const csv = qbrReportCsvFiles(computed).find((file) => file.filename === 'qbr-2026-Q4-findings.csv');
    const rows = parse(csv?.content ?? '', { columns: true }) as Record<string, string>[];
    const html = await renderQbrReportHtml(computed);

    expect(rows.find((row) => row['Registration id'] === 'R3')).toMatchObject({
      Partner: 'Beta Cloud',
      Customer: 'Customer of R3',
      'Amount (USD)': '50000',
      Owner: 'Director <partner-director@example.com> (decided)',
      Deadline: 'Wednesday 14 October 2026, 17:00 EDT (America/New_York)',
      Links: 'https://app.hubspot.com/contacts/4242/record/0-3/O3',
      Evidence: expect.stringContaining(
        'SLA deadline: Wed 14 Oct 2026, 17:00 EDT; Decided: Fri 16 Oct 2026, 09:00 EDT',
      ),
    });
    expect(html).toContain('<a href="https://app.hubspot.com/contacts/4242/record/0-3/O3">');
    expect(html).toMatch(/<table[^>]*class="qbr-evidence"/);
    expect(html).toContain('Approval requested</th>');
  });
});
