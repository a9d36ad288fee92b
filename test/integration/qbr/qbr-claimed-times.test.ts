import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qbrReportSchema } from '#domain/qbr/report.ts';
import { ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { dealreg } from '#test/support/dealreg-cli.ts';
import { formSubmission } from '#test/support/submissions.ts';
import { type QbrWorld, startQbrWorld } from './qbr-fixture.ts';

let world: QbrWorld;
let dataDir: string;

const competing = {
  outcome: 'needs-review',
  ruleId: 'competing-partner',
  reason: 'Rival Partners registered this customer first.',
  evidence: [],
  firedRules: [],
  relationshipType: 'influenced',
  compensation: null,
  policyVersion: 'pv-0123456789ab',
};

/** A registration item as intake and the workflow store it, in review with the verdict above. */
function storedRegistration(item: {
  registrationId: string;
  submittedAt: string;
  receivedAt: string;
  verdictUnderClaim?: Record<string, unknown>;
}) {
  return {
    ...item,
    conversionId: `conv-${item.registrationId}`,
    receivedVia: 'webhook',
    status: 'received',
    submission: formSubmission(),
    details: { partnerDomain: 'northwind-partners.com', customerCountry: 'US', cloudMarketplace: 'none' },
    customerDomain: 'umbrella.com',
    progress: {
      status: 'in-review',
      partnerId: '201',
      partnerName: 'Northwind Partners',
      verdict: competing,
      ...(item.verdictUnderClaim === undefined ? {} : { verdictUnderClaim: item.verdictUnderClaim }),
      updatedAt: item.receivedAt,
    },
  };
}

beforeAll(async () => {
  world = await startQbrWorld();
  dataDir = await mkdtemp(join(tmpdir(), 'dealreg-qbr-claims-'));
  await writeFile(
    join(dataDir, 'local.json'),
    JSON.stringify({
      dynamodb: { endpoint: world.tables.endpoint },
      tables: {
        Ledger: world.tables.tableName(ledgerTable.logicalName),
        Registrations: world.tables.tableName(registrationsTable.logicalName),
      },
      mailbox: join(dataDir, 'mailbox'),
    }),
  );
  // A stopped stack's clock, which the CLI takes as "now": after the run's asOf.
  await writeFile(
    join(dataDir, 'stack-state.json'),
    JSON.stringify({
      version: 1,
      createdAt: '2026-10-01T00:00:00.000Z',
      clock: '2027-01-11T00:00:00.000Z',
      apiPort: 1,
    }),
  );
  const put = (item: Record<string, unknown>) =>
    world.tables.documentClient.send(
      new PutCommand({ TableName: world.tables.tableName(registrationsTable.logicalName), Item: item }),
    );
  // As intake stored a claim of the year 10000 before it checked claims.
  await put(
    storedRegistration({
      registrationId: 'DR-YEAR10000',
      submittedAt: '+010000-01-01T00:00:00.000Z',
      receivedAt: '2026-10-20T10:00:00.000Z',
    }),
  );
  // Received on 11-10, claiming 11-08: at the claim the check would have found no conflict.
  await put(
    storedRegistration({
      registrationId: 'DR-BACKDATED',
      submittedAt: '2026-11-08T09:00:00.000Z',
      receivedAt: '2026-11-10T09:00:05.000Z',
      verdictUnderClaim: {
        claimedAt: '2026-11-08T09:00:00.000Z',
        outcome: 'clear',
        ruleId: 'no-conflict',
        relationshipType: 'sourced',
        reason: 'No other registration was found; the registration counts as sourced.',
      },
    }),
  );
  // Claims Q4, but reached Dealreg in Q1 2027: not in the Q4 cohort.
  await put(
    storedRegistration({
      registrationId: 'DR-NEXT-QUARTER',
      submittedAt: '2026-12-01T09:00:00.000Z',
      receivedAt: '2027-01-04T09:00:00.000Z',
    }),
  );
});

afterAll(async () => {
  await world?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe('dealreg qbr check with registrations whose claimed times are off', () => {
  it('runs to the end, counts registrations by receipt and names the claim that would have changed a verdict', async () => {
    // act
    const result = await dealreg([
      'qbr',
      'check',
      '--quarter',
      '2026-Q4',
      '--as-of',
      '2027-01-10T00:00:00Z',
      '--no-hubspot',
      '--no-store',
      '--data-dir',
      dataDir,
    ]);
    // assess
    expect(result.stderr).not.toMatch(/is not a registration|corrupt/i);
    expect(result.code).toBe(0);
    const report = qbrReportSchema.parse(JSON.parse(result.stdout));
    expect(report.funnel.submitted).toBe(2);
    expect(report.findings).toEqual([
      {
        code: 'POLICY_EXCEPTION',
        severity: 'medium',
        registrationId: 'DR-BACKDATED',
        detail:
          "Candidate exception: registration DR-BACKDATED's submission states 2026-11-08T09:00:00.000Z, 2 days before Dealreg received it (2026-11-10T09:00:05.000Z). At the stated time the conflict check would have decided clear (no-conflict, sourced) instead of needs-review (competing-partner, influenced); it was decided on the receipt.",
        evidence: {
          receivedAt: '2026-11-10T09:00:05.000Z',
          claimedAt: '2026-11-08T09:00:00.000Z',
          verdictOutcome: 'needs-review',
          verdictRuleId: 'competing-partner',
          verdictRelationship: 'influenced',
          outcomeAtClaim: 'clear',
          ruleIdAtClaim: 'no-conflict',
          relationshipAtClaim: 'sourced',
        },
        fix: expect.stringContaining('the decision stands'),
        context: expect.objectContaining({ links: [] }),
      },
    ]);
  });
});
