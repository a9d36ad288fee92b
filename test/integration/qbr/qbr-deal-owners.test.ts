import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotOwnerDirectory } from '#adapters/hubspot/owner-directory.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import type { Finding } from '#domain/qbr/report.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';
import { type QbrWorld, startQbrWorld } from './qbr-fixture.ts';

const policy = loadPolicy({});
let world: QbrWorld;
const ids = { stage: '', amount: '', attribution: '', amountToo: '', partner: '' };

/** A deal approved as sourced for the partner on 10-05 and created in the ledger at `dollars`. */
async function approvedDeal(opportunityId: string, dealName: string, dollars: number) {
  await world.recordSourcedDeal({ opportunityId, dealName, dollars, partnerId: ids.partner });
}

beforeAll(async () => {
  world = await startQbrWorld({
    seed: {
      owners: [
        { id: '601', email: 'dana@vendor.example', firstName: 'Dana', lastName: 'Reyes' },
        { id: '602', email: 'sam@vendor.example', firstName: '', lastName: '' },
      ],
    },
  });
  ids.partner = await world.createPartner('Cloudwise', 'cloudwise.example.com');
  const deal = (dealname: string, owner: string | undefined) =>
    world.createDeal({
      dealname,
      amount: '10000',
      dealstage: 'appointmentscheduled',
      dealreg_partner_company_id: ids.partner,
      dealreg_partner_relationship: 'sourced',
      ...(owner === undefined ? {} : { hubspot_owner_id: owner }),
    });
  ids.amount = await deal('Amount drift', '601');
  ids.amountToo = await deal('Amount drift too', '601');
  ids.stage = await deal('Stage drift', '602');
  ids.attribution = await deal('Attribution drift', undefined);
  for (const id of [ids.amount, ids.amountToo, ids.stage, ids.attribution])
    await world.under.adapter.associatePartner(
      ids.partner,
      id,
      id === ids.attribution ? 'influenced' : 'sourced',
    );
  await approvedDeal(ids.amount, 'Amount drift', 12_000);
  await approvedDeal(ids.amountToo, 'Amount drift too', 15_000);
  await approvedDeal(ids.stage, 'Stage drift', 10_000);
  await world.append({
    opportunityId: ids.stage,
    effectiveAt: '2026-10-05T15:00:00.000Z',
    recordedBy: 'crm-events',
    type: 'StageChanged',
    stage: 'contractsent',
  });
  await approvedDeal(ids.attribution, 'Attribution drift', 10_000);
});

afterAll(async () => {
  await world?.close();
});

describe('the deal owner a drift finding asks to act', () => {
  it('is named from HubSpot: the name, else the email, else "unassigned", each owner read once', async () => {
    const directory = new HubSpotOwnerDirectory(world.under.connection);
    const reads: string[] = [];
    const owners = {
      owner: (id: string) => {
        reads.push(id);
        return directory.owner(id);
      },
    };

    const report = await buildQbrReport(
      {
        ledger: world.ledger,
        registrations: world.registrations,
        deals: world.under.adapter,
        owners,
        policy,
      },
      { quarter: '2026-Q4', asOf: new Date('2026-12-15T00:00:00Z') },
    );

    const of = (code: Finding['code'], id: string) =>
      report.findings.find((finding) => finding.code === code && finding.opportunityId === id);
    expect(report.findings.map((finding) => [finding.code, finding.opportunityId])).toEqual([
      ['ATTRIBUTION_DRIFT', ids.attribution],
      ['AMOUNT_DRIFT', ids.amount],
      ['AMOUNT_DRIFT', ids.amountToo],
      ['STAGE_DRIFT', ids.stage],
    ]);
    expect(of('AMOUNT_DRIFT', ids.amount)?.fix).toContain(
      'ask Dana Reyes (the deal owner) to correct the deal',
    );
    expect(of('AMOUNT_DRIFT', ids.amount)?.context?.owner).toBe('Dana Reyes (the deal owner)');
    expect(of('AMOUNT_DRIFT', ids.amountToo)?.fix).toContain('ask Dana Reyes (the deal owner)');
    expect(of('STAGE_DRIFT', ids.stage)?.fix).toContain(
      'confirm the stage with sam@vendor.example (the deal owner).',
    );
    expect(of('ATTRIBUTION_DRIFT', ids.attribution)?.fix).toMatch(
      /^Ask the deal owner \(unassigned\) who changed the partner association/,
    );
    expect(reads.sort()).toEqual(['601', '602']);
  });
});
