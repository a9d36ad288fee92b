import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';
import { type QbrWorld, startQbrWorld } from './qbr-fixture.ts';

const policy = loadPolicy({});
let world: QbrWorld;
const ids = { partner: '', deleted: '', kept: '' };

/** A deal approved as sourced for the partner, created in the ledger and won on `wonAt`. */
async function wonSourced(opportunityId: string, dealName: string, dollars: number, wonAt: string) {
  await world.recordSourcedDeal({ opportunityId, dealName, dollars, partnerId: ids.partner });
  await world.recordWon(opportunityId, wonAt, dollars);
}

beforeAll(async () => {
  world = await startQbrWorld();
  ids.partner = await world.createPartner('Cloudwise', 'cloudwise.example.com');
  const deal = (dealname: string, amount: string) =>
    world.createDeal({
      dealname,
      amount,
      dealstage: 'closedwon',
      dealreg_partner_company_id: ids.partner,
      dealreg_partner_relationship: 'sourced',
    });
  ids.deleted = await deal('Deleted deal', '30000');
  ids.kept = await deal('Kept deal', '50000');
  for (const id of [ids.deleted, ids.kept])
    await world.under.adapter.associatePartner(ids.partner, id, 'sourced');
  await wonSourced(ids.deleted, 'Deleted deal', 30_000, '2026-11-02T15:00:00.000Z');
  await wonSourced(ids.kept, 'Kept deal', 50_000, '2026-11-03T15:00:00.000Z');
  // Someone deletes the won deal in HubSpot (CRM API "Archive a deal").
  await world.crm('DELETE', `/crm/v3/objects/deals/${ids.deleted}`);
});

afterAll(async () => {
  await world?.close();
});

describe('a won deal deleted in HubSpot', () => {
  it('still counts in the report, and a finding names it and the revenue that still counts', async () => {
    const report = await buildQbrReport(
      { ledger: world.ledger, registrations: world.registrations, deals: world.under.adapter, policy },
      { quarter: '2026-Q4', asOf: new Date('2026-12-15T00:00:00Z') },
    );

    // Closed-won and partner-sourced: 30,000 (deleted, still counted) + 50,000 = 80,000.
    expect([report.scorecard.closedWonAmount, report.attribution.partnerSourcedRevenue]).toEqual([
      80_000, 80_000,
    ]);
    const deleted = report.findings.filter((finding) => finding.code === 'DEAL_DELETED_IN_HUBSPOT');
    expect(
      deleted.map((finding) => [
        finding.opportunityId,
        finding.evidence.stillCounted,
        finding.evidence.wonUsd,
      ]),
    ).toEqual([[ids.deleted, true, 30_000]]);
    expect(deleted[0]?.detail).toContain(
      "Its USD 30,000.00 still counts in this report's closed-won and partner-sourced revenue for 2026-Q4",
    );
  });
});
