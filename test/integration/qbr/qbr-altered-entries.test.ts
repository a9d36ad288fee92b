import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { renderQbrReportEmail } from '#emails/qbr-report.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { integrityFigure } from '#rendering/qbr-headline-figures.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';
import { type QbrWorld, startQbrWorld } from './qbr-fixture.ts';

const policy = loadPolicy({});
let world: QbrWorld;
const customer = { domain: 'kestrel.example.com' };

/** A deal approved as sourced for P1 on 10-05 and won on `wonAt` for `dollars`. */
async function sourcedDeal(opportunityId: string, dealName: string, wonAt: string, dollars: number) {
  await world.recordSourcedDeal({ opportunityId, dealName, dollars, partnerId: 'P1', customer });
  await world.recordWon(opportunityId, wonAt, dollars);
}

beforeAll(async () => {
  world = await startQbrWorld();
  await sourcedDeal('opp-kept', 'Kestrel renewal', '2026-11-10T15:00:00.000Z', 10_000);
  await sourcedDeal('opp-altered', 'Osprey migration', '2026-11-12T15:00:00.000Z', 60_000);
  // Written around the ledger's append path, as someone with table access could: 60,000 made 6,000,000.
  const chain = await world.ledger.readChainRaw('opp-altered');
  const won = chain.find((item) => item.type === 'ClosedWon') as Record<string, unknown>;
  await world.tables.documentClient.send(
    new PutCommand({
      TableName: world.tables.tableName(ledgerTable.logicalName),
      Item: { ...won, amount: { ...(won.amount as object), usdMinor: 600_000_000 } },
    }),
  );
});

afterAll(async () => {
  await world?.close();
});

describe('entries that fail the ledger check', () => {
  it('are left out of every figure, and the headline and the email say how many and why', async () => {
    const report = await buildQbrReport(
      { ledger: world.ledger, registrations: world.registrations, policy },
      { quarter: '2026-Q4', asOf: new Date('2026-12-15T00:00:00Z') },
    );

    // Only the intact deal counts: neither the altered 6,000,000 nor the 60,000 it replaced.
    expect(report.attribution.partnerSourcedRevenue).toBe(10_000);
    expect(report.funnel.closedWon).toBe(1);
    expect(report.integrity).toMatchObject({ broken: 1, excludedEntries: 1 });
    expect(report.findings[0]).toMatchObject({ code: 'LEDGER_INTEGRITY', opportunityId: 'opp-altered' });
    const headline = integrityFigure(report).text;
    expect(headline).toContain(
      '1 entry left out of every figure: it fails the ledger check (the first bad entry of a broken chain and the entries after it)',
    );
    const email = await renderQbrReportEmail(report, ['cro@example.com']);
    expect(email.text).toContain('1 entry left out of every figure: it fails the ledger check');
    expect(email.html).toContain('1 entry left out of every figure: it fails the ledger check');
  });
});
