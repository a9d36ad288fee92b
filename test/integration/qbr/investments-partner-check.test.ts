import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotPartnerDirectory } from '#adapters/hubspot/partner-directory.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { readChain } from '#use-cases/ledger-append.ts';
import { InvestmentImportError, importInvestments } from '#use-cases/ledger-import-investments.ts';
import { type QbrWorld, startQbrWorld } from './qbr-fixture.ts';

const types = loadPolicy({}).policy.reporting.investmentTypes;
const ledgerKey = LocalLedgerKey.random();
const header = 'investmentId,investmentType,campaignId,partnerId,amount,currency,usdRate,effectiveAt';
let world: QbrWorld;
let partnerId: string;
let prospectId: string;

beforeAll(async () => {
  world = await startQbrWorld();
  partnerId = await world.createPartner('Cloudwise', 'cloudwise.example.com');
  prospectId = (
    await world.crm('POST', '/crm/v3/objects/companies', {
      properties: { name: 'Initrode', domain: 'initrode.example.com', type: 'PROSPECT' },
    })
  ).id;
});

afterAll(async () => {
  await world?.close();
});

describe('investments naming a partner', () => {
  it('refuses a partnerId that is not a HubSpot partner company, naming each line, and writes nothing', async () => {
    const partners = new HubSpotPartnerDirectory(world.under.connection);
    const file = [
      header,
      `inv-1,MDF,cmp-fall,${partnerId},5000,USD,1,2026-10-02`,
      `inv-2,MDF,cmp-fall,${prospectId},2000,USD,1,2026-10-02`,
      'inv-3,MDF,cmp-fall,99999999,1000,USD,1,2026-10-02',
    ].join('\n');

    const refused = importInvestments({ store: world.ledger, ledgerKey }, file, {
      investmentTypes: types,
      partners,
    });

    await expect(refused).rejects.toBeInstanceOf(InvestmentImportError);
    await expect(refused).rejects.toThrow(
      `line 3, column partnerId: ${prospectId} (Initrode) is a HubSpot company of type PROSPECT, not PARTNER`,
    );
    await expect(refused).rejects.toThrow('line 4, column partnerId: 99999999 is not a company in HubSpot');
    expect(await readChain(world.ledger, 'campaign:cmp-fall')).toEqual([]);
  });

  it('refuses a line naming a partner when HubSpot cannot be read to check it', async () => {
    const refused = importInvestments(
      { store: world.ledger, ledgerKey },
      `${header}\ninv-1,MDF,cmp-fall,${partnerId},5000,USD,1,2026-10-02`,
      { investmentTypes: types, partners: { unavailable: 'no HubSpot token is set' } },
    );

    await expect(refused).rejects.toThrow(
      `line 2, column partnerId: ${partnerId} cannot be checked against HubSpot's partner companies: no HubSpot token is set`,
    );
    expect(await readChain(world.ledger, 'campaign:cmp-fall')).toEqual([]);
  });

  it('records an investment whose partner is a HubSpot partner company', async () => {
    const partners = new HubSpotPartnerDirectory(world.under.connection);

    const imported = await importInvestments(
      { store: world.ledger, ledgerKey },
      `${header}\ninv-1,MDF,cmp-fall,${partnerId},5000,USD,1,2026-10-02`,
      { investmentTypes: types, partners },
    );

    expect(imported.appended).toBe(1);
    expect(await readChain(world.ledger, 'campaign:cmp-fall')).toEqual([
      expect.objectContaining({ investmentId: 'inv-1', partnerId }),
    ]);
  });

  it('names every problem of the file in one refusal: bad values, partners, opportunities and recorded ids', async () => {
    const partners = new HubSpotPartnerDirectory(world.under.connection);
    const file = [
      `${header},opportunityId`,
      `inv-1,MDF,cmp-fall,${partnerId},6000,USD,1,2026-10-02,`,
      `inv-5,MDF,cmp-fall,${partnerId},0,USD,1,2026-10-02,`,
      'inv-6,MDF,cmp-fall,99999999,1000,USD,1,2026-10-02,',
      `inv-7,MDF,cmp-fall,${partnerId},1000,USD,1,2026-10-02,77777777`,
    ].join('\n');

    const refused = importInvestments({ store: world.ledger, ledgerKey }, file, {
      investmentTypes: types,
      partners,
    });

    await expect(refused).rejects.toBeInstanceOf(InvestmentImportError);
    const { problems } = (await refused.catch((error: unknown) => error)) as InvestmentImportError;
    expect(problems.map(({ line, column }) => [line, column])).toEqual([
      [2, 'investmentId'],
      [3, 'amount'],
      [4, 'partnerId'],
      [5, 'opportunityId'],
    ]);
    expect(await readChain(world.ledger, 'campaign:cmp-fall')).toEqual([
      expect.objectContaining({ investmentId: 'inv-1', partnerId }),
    ]);
  });
});
