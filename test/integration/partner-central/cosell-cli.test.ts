import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { coSellFindings } from '#domain/qbr/aws-view.ts';
import { quarterContaining } from '#domain/qbr/fiscal-calendar.ts';
import { opportunityFacts } from '#domain/qbr/opportunity-facts.ts';
import { approvalsTable, ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { freePort } from '#local/free-port.ts';
import {
  type RunningPartnerCentralStandIn,
  startPartnerCentralStandIn,
} from '#local/partner-central/index.ts';
import {
  startWorkflowUnderTest,
  type WorkflowUnderTest,
  workflowSeed,
} from '#test/integration/registration-workflow/workflow-harness.ts';
import { coSellDefaults, customerCompanySeed } from '#test/support/co-sell.ts';
import { dealreg } from '#test/support/dealreg-cli.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';

/**
 * `dealreg cosell` against a local stack as `local.json` describes it: the registration workflow
 * on DynamoDB Local shares approved AWS-marketplace registrations with the Partner Central
 * stand-in through the real SDK client, and the CLI reads the ledger and the stand-in over HTTP.
 * The stand-in delivers no events here: what AWS's review changes reaches the ledger only
 * through `cosell sync`.
 */

let tables: TestTables;
let standIn: RunningPartnerCentralStandIn;
let harness: WorkflowUnderTest | undefined;
let dataDir: string;
let shared: { registrationId: string; aceOpportunityId: string; dealId: string };
let notShared: string;
/** The environment of a user of the local stack: no deployed tables. */
const localUser = { LEDGER_TABLE: '', REGISTRATIONS_TABLE: '', DYNAMODB_ENDPOINT: '', LEDGER_MAC_KEY: '' };

const cosell = (...args: string[]) => dealreg(['cosell', ...args, '--data-dir', dataDir], localUser);

interface StatusRow {
  registrationId: string;
  dealId: string;
  aceOpportunityId: string;
  catalog: string;
  submittedToAws: boolean;
  reviewStatus: string;
  stage: string;
  reviewComments?: string;
  sharedAt: string;
  since: string;
}

async function review(opportunityId: string, body: Record<string, unknown>): Promise<void> {
  const answer = await fetch(`${standIn.url}/_admin/opportunities/${opportunityId}/review`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ catalog: 'Sandbox', ...body }),
  });
  if (!answer.ok) throw new Error(`the stand-in refused the review move: ${await answer.text()}`);
}

beforeAll(async () => {
  const started = performance.now();
  tables = await createTestTables([registrationsTable, approvalsTable, ledgerTable]);
  dataDir = await mkdtemp(join(tmpdir(), 'dealreg-cosell-cli-'));
  // The key the CLI reads from the data directory, as the local stack creates it.
  const ledgerKey = await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(dataDir));
  // Partner Central's dates follow the workflow's virtual clock, as in the local stack.
  standIn = await startPartnerCentralStandIn({ now: () => harness?.clock.now() ?? new Date() });
  harness = await startWorkflowUnderTest({
    tables,
    ledgerKey,
    seed: {
      ...workflowSeed,
      companies: [...(workflowSeed.companies ?? []), customerCompanySeed('cosell-cli-contoso.com', '910')],
    },
    policy: { coSell: { enabled: true, solutions: ['S-0000001'] } },
    partnerCentral: { endpoint: standIn.url, defaults: coSellDefaults },
  });
  const registrationId = await harness.submit({
    customer_domain: 'cosell-cli-contoso.com',
    estimated_amount: '12000',
    cloud_marketplace: 'aws',
  });
  notShared = await harness.submit({
    customer_domain: 'cosell-cli-fabrikam.com',
    estimated_amount: '9000',
    cloud_marketplace: 'none',
  });
  const dealId = (await harness.registration(registrationId)).progress?.dealId ?? '';
  const aceOpportunityId =
    standIn.catalogs
      .all()
      .find((stored) => stored.opportunity.PartnerOpportunityIdentifier === registrationId)?.opportunity.Id ??
    '';
  shared = { registrationId, aceOpportunityId: String(aceOpportunityId), dealId };
  await writeFile(
    join(dataDir, 'local.json'),
    JSON.stringify({
      api: harness.api.url,
      dynamodb: { endpoint: tables.endpoint },
      tables: tables.names,
      partnerCentral: { endpoint: standIn.url, catalog: 'Sandbox' },
    }),
  );
  console.log(
    `two registrations approved, one shared with AWS, in ${Math.round(performance.now() - started)} ms`,
  );
}, 120_000);

afterAll(async () => {
  await harness?.close();
  await standIn?.stop();
  tables?.client.destroy();
});

describe('dealreg cosell status', () => {
  it('lists the shared registration: its deal, ACE opportunity, catalog, submitted, AWS reviewing it; and the one not shared, with why', async () => {
    expect(shared.aceOpportunityId).toMatch(/^O\d+$/);

    const table = await cosell('status');
    const json = await cosell('status', '--json');

    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /registration\s+deal\s+ACE opportunity\s+catalog\s+submitted\s+AWS review\s+stage\s+expected spend\s+since/,
    );
    expect(table.stdout).toContain('1000.00 USD/month');
    expect(table.stdout).toContain(shared.registrationId);
    // The one approved but not shared, under the table, with the reason its approval recorded.
    expect(table.stdout).toMatch(
      new RegExp(
        `\\napproved but not shared with AWS:\\n  ${notShared}  deal \\d+ \\([^)]*\\): cloud marketplace none is not one the policy shares \\(coSell\\.marketplaces: aws\\)\\n$`,
      ),
    );
    expect(table.stdout.indexOf(notShared)).toBeGreaterThan(table.stdout.indexOf(shared.registrationId));
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { notShared: unknown[] }).notShared).toEqual([
      expect.objectContaining({
        registrationId: notShared,
        selected: false,
        reason: 'cloud marketplace none is not one the policy shares (coSell.marketplaces: aws)',
      }),
    ]);
    const rows = (JSON.parse(json.stdout) as { shared: StatusRow[] }).shared;
    expect(rows).toEqual([
      expect.objectContaining({
        registrationId: shared.registrationId,
        dealId: shared.dealId,
        aceOpportunityId: shared.aceOpportunityId,
        catalog: 'Sandbox',
        submittedToAws: true,
        reviewStatus: 'Submitted',
        stage: 'Prospect',
        expectedMonthlySpend: { amount: '1000.00', currency: 'USD' },
        contractMonths: 12,
      }),
    ]);
  });

  it('exits 1 naming why for a registration approved but not shared, with the reason its approval recorded, and for one the ledger does not know', async () => {
    const approvedOnly = await cosell('status', '--registration', notShared);
    const unknown = await cosell('status', '--registration', 'DR-0000000000000000');

    expect(approvedOnly.code).toBe(1);
    expect(approvedOnly.stderr).toContain(`registration ${notShared}`);
    expect(approvedOnly.stderr).toMatch(
      /was approved but not shared with AWS as of \S+: cloud marketplace none is not one the policy shares \(coSell\.marketplaces: aws\)\n$/,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('the ledger has no approved registration DR-0000000000000000');
  });

  it('refuses a malformed registration id or instant with exit 2, naming the option', async () => {
    const lowerCase = await cosell('status', '--registration', shared.registrationId.toLowerCase());
    const dealId = await cosell('status', '--registration', shared.dealId);
    const asOf = await cosell('status', '--as-of', 'last week');

    for (const result of [lowerCase, dealId]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--registration must be a registration id');
    }
    expect(asOf.code).toBe(2);
    expect(asOf.stderr).toContain('--as-of must be an ISO date or instant');
  });
});

describe('dealreg cosell sync', () => {
  it("records AWS's review read back from Partner Central once, with its reason, comments and time", async () => {
    const before = harness?.clock.now().toISOString() ?? '';
    await harness?.clock.advance('PT3H');
    await review(shared.aceOpportunityId, {
      action: 'action-required',
      comments: 'Add the customer industry and the AWS account id.',
      reason: 'Customer details incomplete',
    });
    const changedAt = harness?.clock.now().toISOString() ?? '';

    const first = await cosell('sync');
    const second = await cosell('sync');
    const after = await cosell('status', '--registration', shared.registrationId, '--json');
    const earlier = await cosell(
      'status',
      '--registration',
      shared.registrationId,
      '--as-of',
      before,
      '--json',
    );
    const text = await cosell('status', '--registration', shared.registrationId);
    const list = await cosell('status');

    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^checked 1 opportunity in the Partner Central stand-in at .* \(Sandbox catalog\); recorded 1 status change on the ledger/,
    );
    expect(second.stdout).toContain('checked 1 opportunity');
    expect(second.stdout).toContain('recorded 0 status changes');
    expect(JSON.parse(after.stdout)).toMatchObject({
      registrationId: shared.registrationId,
      reviewStatus: 'Action Required',
      stage: 'Prospect',
      reviewComments: 'Add the customer industry and the AWS account id.',
      reviewStatusReason: 'Customer details incomplete',
      since: changedAt,
    });
    expect(JSON.parse(earlier.stdout)).toMatchObject({ reviewStatus: 'Submitted', asOf: before });
    expect(text.stdout).toContain("AWS's reason     Customer details incomplete");
    expect(text.stdout).toContain("AWS's comments   Add the customer industry and the AWS account id.");
    expect(list.stdout).toContain(
      "  AWS's reason: Customer details incomplete\n  AWS's comments: Add the customer industry and the AWS account id.\n",
    );
    expect(text.stdout).toContain(`since            ${changedAt}`);
  });

  it('reads only what changed after --since', async () => {
    const later = new Date((harness?.clock.now().getTime() ?? 0) + 60_000).toISOString();

    const result = await cosell('sync', '--since', later);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`checked 0 opportunities in the Partner Central stand-in`);
    expect(result.stdout).toContain(`changed after ${later}`);
  });

  it('refuses a malformed --since, and a local.json without Partner Central, with exit 2', async () => {
    const since = await cosell('sync', '--since', 'yesterday');
    const oldStack = await mkdtemp(join(tmpdir(), 'dealreg-cosell-old-'));
    await writeFile(
      join(oldStack, 'local.json'),
      JSON.stringify({ dynamodb: { endpoint: tables.endpoint }, tables: tables.names }),
    );
    const noStandIn = await dealreg(['cosell', 'sync', '--data-dir', oldStack], localUser);

    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since must be an ISO date or instant');
    expect(noStandIn.code).toBe(2);
    expect(noStandIn.stderr).toContain('names no Partner Central stand-in (partnerCentral.endpoint)');
  });

  it('exits 3 naming Partner Central when the stand-in does not answer, and records nothing', async () => {
    const stopped = await mkdtemp(join(tmpdir(), 'dealreg-cosell-stopped-'));
    await LocalLedgerKey.loadOrCreate(localLedgerKeyPath(stopped));
    const nobody = `http://127.0.0.1:${await freePort()}`;
    await writeFile(
      join(stopped, 'local.json'),
      JSON.stringify({
        dynamodb: { endpoint: tables.endpoint },
        tables: tables.names,
        partnerCentral: { endpoint: nobody, catalog: 'Sandbox' },
      }),
    );
    const entriesBefore = (await harness?.ledgerChain(shared.dealId))?.length;

    const started = performance.now();
    const result = await dealreg(['cosell', 'sync', '--data-dir', stopped], localUser);
    console.log(
      `sync gave up on an unreachable Partner Central after ${Math.round(performance.now() - started)} ms`,
    );

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `the Partner Central stand-in at ${nobody} (Sandbox catalog) did not answer`,
    );
    expect((await harness?.ledgerChain(shared.dealId))?.length).toBe(entriesBefore);
  });
});

describe("ACE's expected spend against the deal's amount", () => {
  /** The pre-QBR report's co-sell findings on the shared deal, from its chain in DynamoDB Local, now. */
  async function coSellFindingsNow() {
    // An hour on: the CLI's ledger writes are stamped by its own clock, a little after the workflow's.
    const asOf = new Date((harness?.clock.now().getTime() ?? 0) + 3_600_000);
    const chain = (await harness?.ledgerChain(shared.dealId)) ?? [];
    const at = asOf.toISOString();
    return coSellFindings({
      policy: loadPolicy({ coSell: { enabled: true, solutions: ['S-0000001'] } }).policy.coSell,
      quarter: quarterContaining(asOf),
      asOf: at,
      facts: [opportunityFacts(shared.dealId, chain, { asOf: at, knownAt: at })],
      crm: undefined,
    });
  }

  it('records the spend AWS changed at the next sync, and the report names both values in COSELL_DRIFT', async () => {
    // Shared as 12,000 USD over the default 12 months: 1,000.00 a month, the deal's amount.
    const sharedEntry = (await harness?.ledgerChain(shared.dealId))?.find(
      (entry) => entry.type === 'CoSellShared',
    );
    expect(sharedEntry).toMatchObject({
      expectedMonthlySpend: { amount: '1000.00', currency: 'USD' },
      contractMonths: 12,
    });
    expect((await coSellFindingsNow()).filter((finding) => finding.code === 'COSELL_DRIFT')).toEqual([]);

    await harness?.clock.advance('PT2H');
    await review(shared.aceOpportunityId, {
      expectedCustomerSpend: [
        { Amount: '1500.00', CurrencyCode: 'USD', Frequency: 'Monthly', TargetCompany: 'AWS' },
      ],
    });
    const synced = await cosell('sync');
    const again = await cosell('sync');
    const status = await cosell('status', '--registration', shared.registrationId);
    const chain = (await harness?.ledgerChain(shared.dealId)) ?? [];
    const findings = await coSellFindingsNow();

    expect(synced.stdout).toContain('recorded 1 status change');
    expect(again.stdout).toContain('recorded 0 status changes');
    expect(status.stdout).toContain('expected spend   1500.00 USD/month (over 12 months as shared)');
    expect(chain.at(-1)).toMatchObject({
      type: 'CoSellStatusChanged',
      aceOpportunityId: shared.aceOpportunityId,
      expectedMonthlySpend: { amount: '1500.00', currency: 'USD' },
    });
    const drift = findings.filter((finding) => finding.code === 'COSELL_DRIFT');
    expect(drift).toHaveLength(1);
    expect(drift[0]?.detail).toContain(
      `ACE opportunity ${shared.aceOpportunityId} (Sandbox catalog) expects USD 1,500.00 a month, USD 18,000.00 over the 12 months Dealreg shared it for, but the deal is worth USD 12,000.00 in the ledger (following HubSpot)`,
    );
    expect(drift[0]?.evidence).toMatchObject({
      drift: 'value',
      aceContractValueUsd: 18_000,
      dealAmountUsd: 12_000,
    });
    expect(drift[0]?.fix).toContain(
      `Set the expected monthly spend of ${shared.aceOpportunityId} in Partner Central to USD 1,000.00`,
    );
  });
});
