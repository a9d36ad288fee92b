import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dealreg } from '#test/support/dealreg-cli.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';

/** What `npm start` leaves a newcomer: a quarter with history, and its pre-QBR report. */
let demo: LocalStackProcess;

interface Mail {
  readonly to: string[];
  readonly template: string;
  readonly subject: string;
  readonly text: string;
  readonly sentAt: string;
}

beforeAll(async () => {
  demo = await startLocalStackProcess([]);
}, 660_000);

afterAll(async () => {
  await demo?.interrupt();
});

const mails = async () => (await (await fetch(`${demo.description.api}/_local/mail`)).json()) as Mail[];

describe('the demo on dealreg local', () => {
  it('tells week 1: approved at once, two waiting for an approver (one recovered by the backfill), an invalid one emailed', async () => {
    expect(demo.output()).toContain('Registration workflows started: 3 (1 recovered by the backfill)');
    expect(demo.output()).toMatch(/approved at once, registered in HubSpot, partner told/);
    expect(demo.output().match(/waiting for the approver/g)).toHaveLength(2);
    const invalid = (await mails()).filter((mail) => mail.template === 'invalid-submission');
    expect(invalid.map((mail) => mail.to)).toEqual([['tom.ridley@skyline-integrators.co.uk']]);
    expect(invalid[0]?.text).toContain('is in the past');
    // Received at a time in the policy calendar's zone, as every partner email gives times.
    expect(invalid[0]?.text).toMatch(/Received:? [^\n]*\(America\/New_York\)/);
  });

  it('plays the quarter: approvals on the emailed pages, an SLA default after reminder and escalation', async () => {
    const sent = await mails();
    const count = (template: string) => sent.filter((mail) => mail.template === template).length;
    // Six registrations were submitted; the invalid one never reached a decision.
    expect(count('registration-decision')).toBe(5);
    expect(count('approval-reminder')).toBeGreaterThanOrEqual(1);
    expect(count('approval-escalation')).toBeGreaterThanOrEqual(1);
    expect(demo.output()).toContain('approved by the SLA default');
  });

  it("dates every mail on the stack's clock: weeks apart over the quarter, none after its time", async () => {
    const sent = (await mails()).map((mail) => ({ template: mail.template, at: Date.parse(mail.sentAt) }));
    const clock = (await (await fetch(`${demo.description.api}/_local/clock`)).json()) as { ticking: string };
    const first = sent.find(
      (mail) => mail.template === 'registration-received' || mail.template === 'approval-request',
    );
    const report = sent.find((mail) => mail.template === 'qbr-report');

    // The demo plays weeks of the virtual clock in minutes of real time.
    expect((report?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThan(30 * 24 * 3600_000);
    expect(Math.max(...sent.map((mail) => mail.at))).toBeLessThanOrEqual(Date.parse(clock.ticking));
    expect(sent.map((mail) => mail.at)).toEqual([...sent.map((mail) => mail.at)].sort((a, b) => a - b));
  });

  it('emails leadership a pre-QBR report in which every section has figures', async () => {
    const report = (await mails()).filter((mail) => mail.template === 'qbr-report');
    expect(report).toHaveLength(1);
    const quarterDir = join(demo.dataDir, 'reports');
    const quarters = (await readdir(quarterDir)).filter((name) => /^\d{4}-Q\d$/.test(name));
    expect(quarters).toHaveLength(1);
    const [run] = await readdir(join(quarterDir, quarters[0] ?? ''));
    const figures = JSON.parse(
      await readFile(join(quarterDir, quarters[0] ?? '', run ?? '', 'report.json'), 'utf8'),
    ) as {
      funnel: {
        submitted: number;
        approved: number;
        opportunities: number;
        closedWon: number;
        closedWonAmount: number;
      };
      byCampaign: unknown[];
      byPartner: unknown[];
      attribution: {
        partnerSourcedRevenue: number;
        partnerInfluencedRevenue: number;
        croPartnerRevenue: number;
        difference: number;
      };
      roiByInvestmentType: { invested: number; closedWonRevenue: number }[];
      sla: { decisions: number; reminders: number; escalations: number; defaulted: number };
      exceptions: unknown[];
      findings: { code: string }[];
      integrity: { chains: number; broken: number };
    };
    expect(figures.funnel.submitted).toBeGreaterThan(0);
    expect(figures.funnel.approved).toBeGreaterThan(0);
    expect(figures.funnel.opportunities).toBeGreaterThan(0);
    expect(figures.funnel.closedWon).toBeGreaterThan(0);
    expect(figures.funnel.closedWonAmount).toBeGreaterThan(0);
    expect(figures.byCampaign.length).toBeGreaterThan(1);
    expect(figures.byPartner.length).toBeGreaterThan(1);
    expect(figures.attribution.partnerSourcedRevenue).toBeGreaterThan(0);
    expect(figures.attribution.partnerInfluencedRevenue).toBeGreaterThan(0);
    expect(figures.attribution.croPartnerRevenue).toBeGreaterThan(0);
    // The CRO view differs on a few deals: the difference is the report's point.
    expect(figures.attribution.difference).not.toBe(0);
    expect(figures.roiByInvestmentType.length).toBeGreaterThan(1);
    expect(figures.roiByInvestmentType.every((row) => row.invested > 0 && row.closedWonRevenue > 0)).toBe(
      true,
    );
    expect(figures.sla.decisions).toBeGreaterThan(0);
    expect(figures.sla.reminders).toBeGreaterThan(0);
    expect(figures.sla.escalations).toBeGreaterThan(0);
    expect(figures.sla.defaulted).toBeGreaterThan(0);
    expect(figures.exceptions.length).toBeGreaterThan(0);
    expect(figures.integrity.chains).toBeGreaterThan(0);
    expect(figures.integrity.broken).toBe(0);
    expect(figures.findings.map((finding) => finding.code)).toEqual(
      expect.arrayContaining(['ATTRIBUTION_DRIFT', 'SLA_BREACH', 'DEFINITION_MISMATCH']),
    );
  });

  it("shares Globex with AWS Partner Central and records AWS's review from Partner Central's events, on the virtual clock", async () => {
    expect(demo.output()).toMatch(
      /Globex names AWS Marketplace, so Dealreg shares it with AWS Partner Central \(Sandbox catalog\) as co-sell opportunity O\d+/,
    );
    const localUser = {
      LEDGER_TABLE: '',
      REGISTRATIONS_TABLE: '',
      DYNAMODB_ENDPOINT: '',
      LEDGER_MAC_KEY: '',
    };
    const status = await dealreg(['cosell', 'status', '--json', '--data-dir', demo.dataDir], localUser);
    expect(status.code).toBe(0);
    const { shared } = JSON.parse(status.stdout) as {
      shared: {
        registrationId: string;
        dealId: string;
        dealName: string;
        aceOpportunityId: string;
        catalog: string;
        submittedToAws: boolean;
        reviewStatus: string;
        stage: string;
        sharedAt: string;
        since: string;
      }[];
    };
    // Only Globex names AWS Marketplace among the approved registrations.
    expect(shared).toHaveLength(1);
    const globex = shared[0];
    expect(globex).toMatchObject({
      catalog: 'Sandbox',
      submittedToAws: true,
      reviewStatus: 'Approved',
      stage: 'Prospect',
    });
    expect(globex?.dealName).toContain('Globex');
    // Shared on day 2 (two hours in), approved on day 5 (three hours in) of the virtual clock.
    const hours = (Date.parse(globex?.since ?? '') - Date.parse(globex?.sharedAt ?? '')) / 3_600_000;
    expect(Math.round(hours)).toBe(73);

    const chain = await dealreg(
      [
        'ledger',
        'show',
        '--opportunity',
        globex?.dealId ?? '',
        '--format',
        'json',
        '--no-hubspot',
        '--data-dir',
        demo.dataDir,
      ],
      localUser,
    );
    const entries = (
      JSON.parse(chain.stdout) as { entries: { type: string; recordedBy: string; reviewStatus?: string }[] }
    ).entries;
    expect(entries.filter((entry) => entry.type === 'CoSellStatusChanged')).toEqual([
      expect.objectContaining({ recordedBy: 'co-sell', reviewStatus: 'In review' }),
      expect.objectContaining({ recordedBy: 'co-sell', reviewStatus: 'Approved' }),
    ]);
    const standIn = (await (
      await fetch(`${demo.description.partnerCentral.endpoint}/_admin/opportunities`)
    ).json()) as {
      opportunities: { Id: string; LifeCycle: { ReviewStatus: string } }[];
    };
    expect(
      standIn.opportunities.map((opportunity) => [opportunity.Id, opportunity.LifeCycle.ReviewStatus]),
    ).toEqual([[globex?.aceOpportunityId, 'Approved']]);
  });

  it("leaves a ledger that `dealreg ledger verify` finds intact: the clock's moves over months are sealed by digests", async () => {
    // The quarter passes on the virtual clock in minutes; digests are written every hour of it.
    const localUser = {
      LEDGER_TABLE: '',
      REGISTRATIONS_TABLE: '',
      DYNAMODB_ENDPOINT: '',
      LEDGER_MAC_KEY: '',
    };
    const verify = () => dealreg(['ledger', 'verify', '--data-dir', demo.dataDir], localUser);
    await expect
      .poll(async () => (await verify()).code, {
        timeout: 20_000,
        interval: 1_000,
      })
      .toBe(0);
    const verified = await verify();
    expect(verified.stdout).toMatch(/^ledger intact$/m);
    expect(verified.stdout).not.toContain('BROKEN');
  });
});
