import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { buildMimeMessage } from '#adapters/mail/mime-message.ts';
import type { QbrReport } from '#domain/qbr/report.ts';
import { EmailTemplateInputError } from '#emails/email-template-input-error.ts';
import { renderQbrReportEmail, renderQbrReportHtml } from '#emails/qbr-report.ts';
import { mimeTree, shape } from '#test/integration/mail/mime-tree.ts';
import { FORMULA_PARTNER, SCRIPT_PARTNER, sampleAwsView, sampleQbrReport } from './qbr-report-fixture.ts';

const leadership = ['cro@vendor.example', 'vp-partners@vendor.example'];
const envelope = {
  from: 'Dealreg <deals@vendor.example>',
  messageId: '<qbr-1@vendor.example>',
  date: new Date('2026-12-14T17:01:00.000Z'),
};
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('the pre-QBR report email', () => {
  it('is text and HTML with the charts inline beside the HTML and the files attached', async () => {
    const email = await renderQbrReportEmail(sampleQbrReport(), leadership);

    const raw = (await buildMimeMessage(email, envelope)).toString('utf8');

    expect(shape(mimeTree(raw))).toBe(
      `multipart/mixed(multipart/alternative(text/plain,multipart/related(text/html,${Array(5).fill('image/png').join(',')}))${',text/csv'.repeat(13)},application/json)`,
    );
  });

  it('references every inline chart by its Content-ID, and each image is a PNG', async () => {
    const email = await renderQbrReportEmail(sampleQbrReport(), leadership);

    const parsed = await PostalMime.parse(await buildMimeMessage(email, envelope));
    const images = parsed.attachments.filter((attachment) => attachment.mimeType === 'image/png');
    const cids = [...(parsed.html ?? '').matchAll(/src="cid:([^"]+)"/g)].map((match) => match[1]);

    expect(cids).toEqual([
      'qbr-funnel@dealreg',
      'qbr-attribution@dealreg',
      'qbr-roi@dealreg',
      'qbr-sla@dealreg',
      'qbr-sla-follow-up@dealreg',
    ]);
    expect(images.map((image) => image.contentId)).toEqual(cids.map((cid) => `<${cid}>`));
    for (const image of images) {
      expect([...new Uint8Array(image.content as ArrayBuffer).slice(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(image.disposition).toBe('inline');
    }
    expect(parsed.to?.map((to) => ('address' in to ? to.address : undefined))).toEqual(leadership);
    expect(parsed.subject).toBe(
      'Pre-QBR check 2026-Q4: 2 critical or high findings; partner-sourced $800,000 vs CRO view $650,000',
    );
  });

  it('attaches CSV files whose formula-like cells are neutralised, and the JSON document', async () => {
    const report = sampleQbrReport();
    const email = await renderQbrReportEmail(report, leadership);

    const parsed = await PostalMime.parse(await buildMimeMessage(email, envelope));
    const byName = new Map(parsed.attachments.map((attachment) => [attachment.filename, attachment]));
    const decode = (name: string) =>
      new TextDecoder().decode(byName.get(name)?.content as ArrayBuffer | undefined);

    expect(decode('qbr-2026-Q4-by-partner.csv')).toContain(`"'=HYPERLINK(""http://x"")"`);
    // Text without a charset parameter is US-ASCII (RFC 2046, section 4.1.2).
    const csvParts = mimeTree((await buildMimeMessage(email, envelope)).toString('utf8')).children.filter(
      (part) => part.contentType === 'text/csv',
    );
    expect(csvParts.length).toBeGreaterThan(0);
    for (const part of csvParts) expect(part.headers['content-type']).toMatch(/;\s*charset=utf-8/i);
    expect(JSON.parse(decode('qbr-2026-Q4.json'))).toEqual(report);
  });

  it('says which days the quarter covers, in the opening sentence and the footer of both parts', async () => {
    const report = sampleQbrReport({
      quarter: '2027-Q4',
      period: {
        firstDay: '2026-11-01',
        lastDay: '2027-01-31',
        start: '2026-11-01T04:00:00.000Z',
        end: '2027-02-01T05:00:00.000Z',
      },
    });

    const email = await renderQbrReportEmail(report, leadership);

    const period = '2027-Q4 (1 Nov 2026 – 31 Jan 2027)';
    expect(email.text).toContain(`The partner figures for ${period} as of`);
    expect(email.text).toContain(`for fiscal quarter ${period}; times in ${report.timeZone}`);
    expect(email.html).toContain(`The partner figures for ${period} as of`);
    expect(email.html).toContain(`for fiscal quarter ${period}; times in`);
  });

  it('does not say the ledger and HubSpot agree when HubSpot was not read for the report', async () => {
    const report = sampleQbrReport({
      hubspotRead: false,
      findings: [],
      scorecard: { ...sampleQbrReport().scorecard, findings: { critical: 0, high: 0, medium: 0, low: 0 } },
    });

    const email = await renderQbrReportEmail(report, leadership);

    for (const part of [email.text, email.html]) {
      expect(part).not.toContain('the ledger and HubSpot agree');
      expect(part).not.toContain('checked against HubSpot:');
      expect(part).toContain(
        'not checked against HubSpot (HubSpot was not read for this report): no findings.',
      );
      expect(part).toContain('HubSpot was not read, so nothing was reconciled with it.');
    }
  });

  it('keeps a partner named like a script or a formula as text in HTML and plain text', async () => {
    const email = await renderQbrReportEmail(sampleQbrReport(), leadership);

    expect(email.html).not.toMatch(/<script/i);
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('=HYPERLINK(&quot;http://x&quot;)');
    expect(email.text).toContain(SCRIPT_PARTNER);
    expect(email.text).toContain(FORMULA_PARTNER);
  });

  it('gives the funnel, the attribution difference deals and the ranked findings in the plain-text part', async () => {
    const email = await renderQbrReportEmail(sampleQbrReport(), leadership);

    expect(email.text).toContain('  Approved: 30 (75.0% of submitted)');
    expect(email.text).toContain('  Difference: sourced minus CRO view: $150,000.00');
    expect(email.text).toContain(
      '  - Globex data platform (9001) $150,000.00: ledger sourced, CRO view not partner.',
    );
    expect(email.text).toMatch(/1\. \[CRITICAL\] LEDGER_INTEGRITY · opportunity 9003\n/);
    expect(email.text).toContain('   Fix: Restore the entry from the digest and run dealreg ledger verify.');
  });

  it('lists the first 10 investments and names the attached CSV for the rest, however many were imported', async () => {
    const sample = sampleQbrReport();
    const many = Array.from({ length: 250 }, (_, index) => ({
      investmentId: `ev-${String(index + 1).padStart(3, '0')}`,
      investmentType: 'Events',
      campaignId: 'cmp-big',
      opportunityId: null,
      attributedThrough: 'campaign' as const,
      invested: 10,
      closedWonRevenue: 0,
    }));

    const email = await renderQbrReportEmail({ ...sample, investments: many }, leadership);

    expect(email.text).toContain('  - ev-010 (Events): invested $10.00');
    expect(email.text).not.toContain('ev-011');
    expect(email.text).toContain('  240 more in qbr-2026-Q4-roi-investments.csv.');
    expect(email.html).toContain('ev-010');
    expect(email.html).not.toContain('ev-011');
    expect(email.html).toContain('240 more in qbr-2026-Q4-roi-investments.csv.');
  });

  it('lists the first 10 difference deals, AWS partners and exceptions of a portal with hundreds, naming the CSV for the rest', async () => {
    const sample = sampleQbrReport();
    const n = (index: number) => String(index + 1).padStart(3, '0');
    const figure = { opportunities: 1, amount: 1000 };
    const report = {
      ...sample,
      attribution: {
        ...sample.attribution,
        differenceDeals: Array.from({ length: 300 }, (_, index) => ({
          opportunityId: `op-${n(index)}`,
          dealName: `Deal ${n(index)}`,
          amount: 1000,
          ledgerRelationship: 'sourced' as const,
          croCountsAsPartner: false,
          explanation: 'HubSpot deal source is "Direct".',
        })),
      },
      awsView: {
        ...sampleAwsView,
        byPartner: Array.from({ length: 300 }, (_, index) => ({
          key: `p-${n(index)}`,
          label: `Partner ${n(index)}`,
          shared: figure,
          submitted: figure,
          approved: figure,
          actionRequired: figure,
          rejected: figure,
          launched: figure,
          closedLost: figure,
        })),
      },
      exceptions: Array.from({ length: 300 }, (_, index) => ({
        registrationId: `reg-${n(index)}`,
        decidedBy: 'dana@example.com',
        decidedAt: '2026-11-02T15:00:00.000Z',
        verdictRuleId: 'competing-partner',
        decision: 'approved as sourced',
        reason: 'customer asked for this partner',
      })),
    };

    const email = await renderQbrReportEmail(report, leadership);

    for (const part of [email.html, email.text]) {
      for (const [prefix, file] of [
        ['Deal ', 'attribution-difference-deals'],
        ['Partner ', 'aws-view-by-partner'],
        ['reg-', 'exceptions'],
      ]) {
        expect(part).toContain(`${prefix}010`);
        expect(part).not.toContain(`${prefix}011`);
        expect(part).toContain(`290 more in qbr-2026-Q4-${file}.csv.`);
      }
    }
  });

  it('puts the findings within the first 100 KB of HTML, where Gmail does not clip them, however long the tables', async () => {
    const report = reportAtEveryLimit();

    const email = await renderQbrReportEmail(report, leadership);

    const bytes = Buffer.from(email.html, 'utf8');
    const findingsEnd = bytes.indexOf('class="qbr-findings-rest"');
    expect(findingsEnd).toBeGreaterThan(0);
    // Gmail shows the first 102 KB of a message's HTML and hides the rest behind "View entire message".
    expect(findingsEnd).toBeLessThan(100 * 1024);
    expect(email.html.indexOf('id="findings"')).toBeLessThan(email.html.indexOf('id="funnel"'));
    expect(email.text.indexOf('FINDINGS (most severe first)')).toBeLessThan(email.text.indexOf('FUNNEL'));
  });

  it('lists the 10 most severe findings and names the full report for the rest; the full report keeps all', async () => {
    const sample = sampleQbrReport();
    const severities = [
      ...Array.from({ length: 3 }, () => 'critical' as const),
      ...Array.from({ length: 12 }, () => 'high' as const),
      ...Array.from({ length: 10 }, () => 'medium' as const),
    ];
    const findings = severities.map((severity, index) => ({
      code: 'STAGE_DRIFT' as const,
      severity,
      opportunityId: `op-${String(index + 1).padStart(2, '0')}`,
      detail: `Deal op-${String(index + 1).padStart(2, '0')} drifted.`,
      evidence: {},
      fix: 'Replay the stage change.',
    }));
    const report = {
      ...sample,
      findings,
      scorecard: { ...sample.scorecard, findings: { critical: 3, high: 12, medium: 10, low: 0 } },
    };

    const email = await renderQbrReportEmail(report, leadership);
    const page = await renderQbrReportHtml(report);

    expect(email.text).toContain('Deal op-10 drifted.');
    expect(email.text).not.toContain('op-11');
    expect(email.text).toMatch(/10\. \[HIGH\] STAGE_DRIFT/);
    expect(email.text).toContain(
      'And 15 more findings in the full report: qbr-2026-Q4-findings.csv and qbr-2026-Q4.json, attached.',
    );
    expect(email.html).toContain('Deal op-10 drifted.');
    expect(email.html).not.toContain('op-11');
    expect(email.html).toContain(
      'And 15 more findings in the full report: qbr-2026-Q4-findings.csv and qbr-2026-Q4.json, attached.',
    );
    expect(page).toContain('Deal op-25 drifted.');
    expect(page).not.toContain('more findings in the full report');
  });

  it('opens with the moment of the figures in the policy calendar’s zone, as every other time in it', async () => {
    const email = await renderQbrReportEmail(
      { ...sampleQbrReport(), timeZone: 'America/New_York' },
      leadership,
    );

    // 2026-12-14T17:00Z is noon in New York (EST, UTC−5).
    const opening =
      'The partner figures for 2026-Q4 as of Mon 14 Dec 2026, 12:00 EST (2026-12-14T17:00:00.000Z)';
    expect(email.text).toContain(opening);
    expect(email.html).toContain(opening);
  });

  it('dates a policy exception on the day it was decided in the policy calendar’s zone', async () => {
    const sample = sampleQbrReport();
    const [exception] = sample.exceptions;
    if (exception === undefined) throw new Error('the sample has an exception');
    // 02:30 UTC on 3 November is 21:30 on 2 November in New York (EST, UTC−5).
    const report = {
      ...sample,
      timeZone: 'America/New_York',
      exceptions: [{ ...exception, decidedAt: '2026-11-03T02:30:00.000Z' }],
    };

    const email = await renderQbrReportEmail(report, leadership);

    expect(email.html).toContain('reg-0007 (2026-11-02)');
    expect(email.html).not.toContain('2026-11-03');
    expect(email.text).toContain('Exception reg-0007 (2026-11-02):');
  });

  it('refuses a recipient that is not an email address, naming it', async () => {
    const attempt = renderQbrReportEmail(sampleQbrReport(), ['cro@vendor.example', 'not an address']);

    await expect(attempt).rejects.toBeInstanceOf(EmailTemplateInputError);
    await expect(attempt).rejects.toThrow(/to\[1\]: each leadership recipient must be an email address/);
  });

  it('refuses a report that does not follow the schema, naming the field', async () => {
    const broken = { ...sampleQbrReport(), quarter: '2026-Q5' };

    await expect(renderQbrReportEmail(broken, leadership)).rejects.toThrow(/report\.quarter/);
  });
});

describe('the standalone HTML report', () => {
  it('embeds the charts as data URIs and links to nothing outside the page', async () => {
    const page = await renderQbrReportHtml(sampleQbrReport());

    const sources = [...page.matchAll(/src="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(sources).toHaveLength(5);
    expect(sources.every((source) => source.startsWith('data:image/png;base64,iVBORw0KGgo'))).toBe(true);
    expect(page).not.toContain('cid:');
    expect(page).not.toMatch(/<script/i);
  });

  it('is the same page for the same report', async () => {
    const report = sampleQbrReport();

    expect(await renderQbrReportHtml(report)).toBe(await renderQbrReportHtml(structuredClone(report)));
  });
});

/**
 * A report with every table of the email at its limit (10 rows shown of more) and 12 findings,
 * each with its context and 15 pieces of evidence, as a co-sell drift has.
 */
function reportAtEveryLimit(): QbrReport {
  const sample = sampleQbrReport();
  const n = (index: number) => String(index + 1).padStart(3, '0');
  const row = (index: number) => ({
    key: `k-${n(index)}`,
    label: `Northwind Consulting Group International ${n(index)}`,
    submitted: 1200,
    approved: 1100,
    opportunities: 1000,
    closedWon: 900,
    closedWonAmount: 12_345_678.9,
    conversion: { submittedToApproved: 0.9166, approvedToOpportunity: 0.909, opportunityToClosedWon: 0.9 },
  });
  const rows = Array.from({ length: 12 }, (_, index) => row(index));
  const figure = { opportunities: 120, amount: 12_345_678.9 };
  const evidence = {
    drift: 'stage and value',
    aceOpportunityId: 'O1000000',
    aceStage: 'Prospect',
    aceReviewStatus: 'Approved',
    aceLastModifiedAt: '2026-10-05T17:00:00.000Z',
    hubspotStage: 'closedwon',
    hubspotClosedWon: true,
    ledgerOutcome: 'won',
    ledgerUsd: 180000,
    aceExpectedMonthlySpend: '12000.00',
    aceCurrency: 'USD',
    sharedOverMonths: 12,
    aceContractUsd: 144000,
    dealUsd: 180000,
    differenceUsd: 36000,
  };
  const findings = Array.from({ length: 12 }, (_, index) => ({
    code: 'COSELL_DRIFT' as const,
    severity: 'high' as const,
    opportunityId: `4000${n(index)}`,
    registrationId: `DR-7MME6RDHT1BRN${n(index)}`,
    detail: `Globex – data platform migration ${n(index)} is closed-won in HubSpot but ACE opportunity O1000000 (Sandbox catalog) is at stage Prospect, not Launched; and ACE opportunity O1000000 expects USD 12,000.00 a month, USD 144,000.00 over the 12 months Dealreg shared it for, but the deal is worth USD 180,000.00 in HubSpot.`,
    evidence,
    fix: 'Update the stage of O1000000 in Partner Central (Launched when won, Closed Lost when lost) or ask Dana Reyes (the deal owner) to correct the deal in HubSpot, so AWS’s pipeline and yours agree before the meeting.',
    context: {
      partner: 'Cloudwise Partners',
      customer: 'Globex Corporation',
      deal: `Globex – data platform migration ${n(index)}`,
      amountUsd: 180000,
      owner: 'Dana Reyes (the deal owner)',
      links: [
        { label: 'HubSpot deal', url: `https://app.hubspot.com/contacts/1234567/record/0-3/4000${n(index)}` },
      ],
    },
  }));
  return {
    ...sample,
    timeZone: 'America/New_York',
    byCampaign: rows,
    byPartner: rows,
    byCloudMarketplace: rows,
    byRegion: rows,
    attribution: {
      ...sample.attribution,
      differenceDeals: Array.from({ length: 12 }, (_, index) => ({
        opportunityId: `5000${n(index)}`,
        dealName: `Initrode — Cloudwise Partners ${n(index)}`,
        amount: 14_500,
        ledgerRelationship: 'sourced' as const,
        croCountsAsPartner: false,
        explanation: `The ledger counts it partner-sourced (Cloudwise Partners, 20000001 (sourced, registration DR-CX8YTBDESFVEKM0K) at close) but HubSpot's deal_source is "Marketing", so the CRO view leaves it out.`,
      })),
    },
    awsView: {
      ...sampleAwsView,
      byPartner: Array.from({ length: 12 }, (_, index) => ({
        key: `p-${n(index)}`,
        label: `Partner ${n(index)}`,
        shared: figure,
        submitted: figure,
        approved: figure,
        actionRequired: figure,
        rejected: figure,
        launched: figure,
        closedLost: figure,
      })),
    },
    investments: Array.from({ length: 12 }, (_, index) => ({
      investmentId: `INV-MDF-${n(index)}`,
      investmentType: 'MDF',
      campaignId: 'CMP-Q4-WEBINARS',
      opportunityId: null,
      attributedThrough: 'campaign' as const,
      invested: 5_000,
      closedWonRevenue: 14_500,
    })),
    exceptions: Array.from({ length: 12 }, (_, index) => ({
      registrationId: `DR-8805A41VW268F${n(index)}`,
      decidedBy: 'channel-manager@example.com',
      decidedAt: '2026-10-09T16:00:00.000Z',
      verdictRuleId: 'no-conflict',
      decision: 'approved as influenced',
      reason: 'Marcus Lee met Wayne Retail at the retail summit first; Northwind runs the evaluation.',
    })),
    findings,
    scorecard: { ...sample.scorecard, findings: { critical: 0, high: 12, medium: 0, low: 0 } },
  };
}
