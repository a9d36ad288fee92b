import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMailbox } from '#adapters/mail/local-mailbox.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { reportFolder } from '#domain/qbr/report-location.ts';
import { contextKeys, defaultPolicyFile } from '#lib/dealreg-app.ts';
import { ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { VirtualClock } from '#local/clock.ts';
import { type LocalPreQbrCheck, startLocalPreQbrCheck } from '#local/pre-qbr-check.ts';
import { DirectoryBuckets, LocalWorkflowRunner } from '#local/workflow-runner/index.ts';
import { synthesizeDealregApp, testContext } from '#test/infra/synthesize.ts';
import { reportsBucketOf, synthesizedPreQbrWorkflowAsl } from '#test/infra/synthesized-workflow.ts';
import { type QbrWorld, startQbrWorld, usd } from './qbr-fixture.ts';

/**
 * The scheduled pre-QBR check end to end, from the definition the synthesised stateless stack
 * deploys: the daily schedule fires on the virtual clock, the due check goes on only on the check
 * day, the deal ids are exported to the reports bucket (a directory), the Distributed Map reads
 * them in batches through the batch worker and the HubSpot sandbox, the report is built from
 * DynamoDB Local and the batches, stored, and emailed to leadership through the mailbox.
 */

/** The policy the stack deploys (`dealreg:policyFile` unset). */
const policy = loadPolicy(readFileSync(defaultPolicyFile, 'utf8'));
/**
 * 10 business days before 2026-Q4 ends (weekends and the default calendar's holidays, 24 and 25
 * December, not counted): Wednesday 16 December 2026, 09:00 in New York.
 */
const checkDay = '2026-12-16T14:00:00.000Z';

let world: QbrWorld;
let dataDir: string;
let clock: VirtualClock;
let runner: LocalWorkflowRunner;
let mailbox: LocalMailbox;
let preQbr: LocalPreQbrCheck;
const ids = { acme: '', beta: '', orion: '', kite: '', vega: '' };

async function approvedDeal(options: {
  opportunityId: string;
  registrationId: string;
  partnerId: string;
  relationshipType: 'sourced' | 'influenced';
  approvedAt: string;
  dealName: string;
  amount: number;
}) {
  world.clock.now = new Date(options.approvedAt);
  const customer = { domain: `${options.registrationId.toLowerCase()}.example.com` };
  const common = { opportunityId: options.opportunityId, effectiveAt: options.approvedAt } as const;
  await world.append({
    ...common,
    type: 'RegistrationApproved',
    recordedBy: 'workflow',
    registrationId: options.registrationId,
    partnerId: options.partnerId,
    customer,
    relationshipType: options.relationshipType,
    decidedBy: 'channel-manager@example.com',
  });
  await world.append({
    ...common,
    type: 'PartnerAttached',
    recordedBy: 'workflow',
    partnerId: options.partnerId,
    customer,
    relationshipType: options.relationshipType,
    registrationId: options.registrationId,
  });
  await world.append({
    ...common,
    type: 'OpportunityCreated',
    recordedBy: 'crm-events',
    customer,
    dealName: options.dealName,
    stage: 'appointmentscheduled',
    amount: usd(options.amount),
  });
}

const wonAt = (opportunityId: string, at: string, amount: number) =>
  world.recordWon(opportunityId, at, amount);

beforeAll(async () => {
  world = await startQbrWorld();
  ids.acme = await world.createPartner('Acme Partners', 'acme.example');
  ids.beta = await world.createPartner('Beta Cloud', 'beta.example');
  const deal = (
    name: string,
    amount: number,
    stage: string,
    registrationId: string,
    partner: string,
    relationship: string,
    source: string,
  ) =>
    world.createDeal({
      dealname: name,
      amount: String(amount),
      deal_currency_code: 'USD',
      dealstage: stage,
      dealreg_registration_id: registrationId,
      dealreg_partner_company_id: partner,
      dealreg_partner_relationship: relationship,
      deal_source: source,
    });
  ids.orion = await deal('Orion rollout', 100_000, 'closedwon', 'R1', ids.acme, 'sourced', 'Partner');
  ids.kite = await deal('Kite expansion', 50_000, 'closedwon', 'R2', ids.beta, 'influenced', 'Partner');
  ids.vega = await deal('Vega pilot', 30_000, 'qualifiedtobuy', 'R3', ids.acme, 'sourced', 'Direct');
  await approvedDeal({
    opportunityId: ids.orion,
    registrationId: 'R1',
    partnerId: ids.acme,
    relationshipType: 'sourced',
    approvedAt: '2026-10-05T18:00:00.000Z',
    dealName: 'Orion rollout',
    amount: 100_000,
  });
  await approvedDeal({
    opportunityId: ids.kite,
    registrationId: 'R2',
    partnerId: ids.beta,
    relationshipType: 'influenced',
    approvedAt: '2026-10-16T13:00:00.000Z',
    dealName: 'Kite expansion',
    amount: 50_000,
  });
  await approvedDeal({
    opportunityId: ids.vega,
    registrationId: 'R3',
    partnerId: ids.acme,
    relationshipType: 'sourced',
    approvedAt: '2026-11-02T15:00:00.000Z',
    dealName: 'Vega pilot',
    amount: 30_000,
  });
  await wonAt(ids.orion, '2026-11-20T15:00:00.000Z', 100_000);
  await wonAt(ids.kite, '2026-12-01T15:00:00.000Z', 50_000);

  // Deployed with a low large-portfolio threshold, so the three deals go through the Distributed Map.
  const app = synthesizeDealregApp({ context: { ...testContext, [contextKeys.largePortfolioDeals]: '2' } });
  const definition = synthesizedPreQbrWorkflowAsl(app.statelessTemplate);
  dataDir = await mkdtemp(join(tmpdir(), 'dealreg-pre-qbr-'));
  clock = new VirtualClock('2026-12-15T12:00:00Z');
  runner = new LocalWorkflowRunner({
    clock,
    objectStore: new DirectoryBuckets({ [reportsBucketOf(definition)]: dataDir }),
  });
  mailbox = new LocalMailbox(join(dataDir, 'mailbox'));
  preQbr = startLocalPreQbrCheck({
    runner,
    clock,
    client: world.tables.client,
    documentClient: world.tables.documentClient,
    tables: {
      ledger: world.tables.tableName(ledgerTable.logicalName),
      registrations: world.tables.tableName(registrationsTable.logicalName),
    },
    hubspot: world.under.connection,
    portalId: world.under.sandbox.portalId,
    mailer: mailbox,
    policy,
    dataDir,
    definition,
  });
}, 120_000);

afterAll(async () => {
  preQbr?.stop();
  await runner?.close();
  await world?.close();
});

describe('the scheduled pre-QBR check, from the definition CDK deploys', () => {
  it('starts every working morning and stops at the due check on a day that is not the check day', async () => {
    await clock.setTo('2026-12-15T14:00:00Z');

    const [execution] = runner.listExecutions();
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      input: { trigger: 'schedule', scheduledTime: '2026-12-15T14:00:00.000Z' },
    });
    expect(runner.statesVisited(execution?.executionArn ?? '')).toEqual([
      'Decide whether the check is due',
      'Is the check due today?',
      'Not due today',
    ]);
    expect(await mailbox.list()).toEqual([]);
    expect(preQbr.nextScheduledStart()?.toISOString()).toBe(checkDay);
  });

  it('on the check day exports, reads HubSpot in batches, builds and stores the report and emails leadership', async () => {
    const started = performance.now();
    await clock.setTo(checkDay);
    const seconds = (performance.now() - started) / 1000;

    const execution = runner.listExecutions().at(-1);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', startDate: checkDay });
    expect(runner.statesVisited(execution?.executionArn ?? '')).toEqual([
      'Decide whether the check is due',
      'Is the check due today?',
      'Export the deal ids to read',
      'Is the portfolio too large for one function?',
      'Read HubSpot deals in batches of 100',
      'Read one batch of deals',
      'Build and store the report from the batches',
      'Email the report to leadership',
      'Report delivered',
    ]);
    const run = join(dataDir, 'runs', reportFolder({ quarter: '2026-Q4', asOf: checkDay }));
    expect(JSON.parse(await readFile(join(run, 'deal-ids.json'), 'utf8'))).toEqual(
      [ids.orion, ids.kite, ids.vega].sort(),
    );
    expect(await readdir(join(run, 'deal-batches'))).toHaveLength(1);

    const report = JSON.parse(
      await readFile(
        join(dataDir, 'reports', reportFolder({ quarter: '2026-Q4', asOf: checkDay }), 'report.json'),
        'utf8',
      ),
    );
    // Won in Q4: Orion 100,000 (Acme, sourced), Kite 50,000 (Beta, influenced); both are
    // "Partner" deals in the CRO's view; Vega (30,000) is an open opportunity.
    expect(report).toMatchObject({
      quarter: '2026-Q4',
      asOf: checkDay,
      policyVersion: policy.policyVersion,
      funnel: { opportunities: 3, closedWon: 2, closedWonAmount: 150_000 },
      attribution: {
        partnerSourcedRevenue: 100_000,
        partnerInfluencedRevenue: 50_000,
        croPartnerRevenue: 150_000,
        difference: -50_000,
      },
      integrity: { chains: 3, broken: 0 },
    });
    // Vega is "Direct" in HubSpot but partner-sourced on the ledger: a finding on a sandbox deal,
    // linked to its record in the sandbox's portal as the deployed report links it.
    const portalId = world.under.sandbox.portalId;
    const dealFindings = (
      report.findings as { opportunityId?: string; context?: { links?: { label: string; url: string }[] } }[]
    ).filter((finding) => finding.opportunityId === ids.vega);
    expect(dealFindings.length).toBeGreaterThan(0);
    for (const finding of dealFindings) {
      expect(finding.context?.links).toContainEqual({
        label: 'HubSpot deal',
        url: `https://app.hubspot.com/contacts/${portalId}/record/0-3/${ids.vega}`,
      });
    }

    const mails = await mailbox.list();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: ['cro@example.com'], template: 'qbr-report' });
    expect(mails[0]?.subject).toContain('Pre-QBR check 2026-Q4');
    expect(mails[0]?.subject).toContain('partner-sourced $100,000 vs CRO view $150,000');
    expect(mails[0]?.text).toContain('Partner-influenced (ledger): $50,000.00');
    // Printed, not asserted: tests do not fail on timing.
    console.info(`pre-QBR check from the synthesized definition: ${seconds.toFixed(1)} s`);
  });

  it('runs two checks at once: one waits for the busy report function, both deliver', async () => {
    const mailsBefore = (await mailbox.list()).length;
    // Two on-demand checks of the same quarter at different as-of times (passed: a moment still to
    // come is refused): two runs, two reports.
    const asOf = (hours: number) => new Date(Date.parse(checkDay) + hours * 3_600_000).toISOString();
    const executions = await Promise.all([
      preQbr.start({ quarter: '2026-Q4', asOf: asOf(-2) }),
      preQbr.start({ quarter: '2026-Q4', asOf: asOf(-1) }),
    ]);
    await runner.settle();
    // A throttled step waits out its retry pause on the clock, as in Step Functions.
    for (let minute = 0; minute < 60; minute += 1) {
      if (executions.every((arn) => runner.describeExecution(arn).status !== 'RUNNING')) break;
      await clock.advance('PT1M');
    }

    expect(executions.map((arn) => runner.describeExecution(arn).status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const mails = await mailbox.list();
    expect(mails.length - mailsBefore).toBe(2);
    // Printed, not asserted: whether the two met at a busy function depends on how they interleave.
    const throttled = executions.flatMap((arn) =>
      runner
        .getExecutionHistory(arn)
        .filter((event) => event.type === 'RetryScheduled')
        .map((event) => event.stateName),
    );
    console.info(`two pre-QBR checks at once: throttled retries at ${JSON.stringify(throttled)}`);
  });
});
