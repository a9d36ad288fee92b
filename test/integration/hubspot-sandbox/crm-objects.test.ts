import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHubSpotSandbox, startHubSpotSandbox } from '#local/hubspot-sandbox/index.ts';
import { call, clientFor } from './sandbox-fixture.ts';

let sandbox: RunningHubSpotSandbox;

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ rateLimit: false, now: () => Date.parse('2026-11-02T10:00:00Z') });
});

afterAll(async () => {
  await sandbox.stop();
});

describe('HubSpot sandbox: CRM objects', () => {
  it('refuses a deal in a currency the portal has not enabled, and lists the enabled ones as the property options', async () => {
    const refused = await call(sandbox, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'Zurich rollout', deal_currency_code: 'CHF' },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('CHF was not one of the allowed options');

    const accepted = await call(sandbox, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'London rollout', deal_currency_code: 'GBP' },
    });
    expect(accepted.status).toBe(201);
    const property = await call(sandbox, 'GET', '/crm/v3/properties/deals/deal_currency_code');
    expect((property.body as { options: { value: string }[] }).options.map((option) => option.value)).toEqual(
      ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'],
    );
  });

  it('creates with 201, reads with 200, archives with 204 and then answers 404', async () => {
    const created = await call(sandbox, 'POST', '/crm/v3/objects/companies', {
      properties: { name: 'Acme', domain: 'acme.example', type: 'PARTNER' },
    });
    expect(created.status).toBe(201);
    const body = created.body as { id: string; properties: Record<string, string>; createdAt: string };
    expect(body.id).toMatch(/^\d+$/);
    expect(body.properties.hs_object_id).toBe(body.id);
    expect(body.createdAt).toBe('2026-11-02T10:00:00.000Z');
    expect(created.headers.get('content-type')).toContain('application/json');

    const read = await call(sandbox, 'GET', `/crm/v3/objects/companies/${body.id}?properties=type,industry`);
    expect(read.status).toBe(200);
    expect((read.body as { properties: Record<string, unknown> }).properties).toMatchObject({
      type: 'PARTNER',
      industry: null,
      hs_lastmodifieddate: '2026-11-02T10:00:00.000Z',
    });

    expect((await call(sandbox, 'DELETE', `/crm/v3/objects/companies/${body.id}`)).status).toBe(204);
    const gone = await call(sandbox, 'GET', `/crm/v3/objects/companies/${body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    expect((gone.body as { correlationId: string }).correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves deals under /deals and /0-3 through the official client', async () => {
    const client = clientFor(sandbox);
    const deal = await client.crm.deals.basicApi.create({
      properties: {
        dealname: 'Globex rollout',
        amount: '1200.50',
        dealstage: 'closedwon',
        closedate: '2026-12-01',
      },
      associations: [],
    });
    expect(deal.properties.amount).toBe('1200.5');
    expect(deal.properties.closedate).toBe('2026-12-01T00:00:00.000Z');
    const viaTypeId = await client.crm.objects.basicApi.getById('0-3', deal.id, [
      'hs_is_closed_won',
      'pipeline',
    ]);
    expect(viaTypeId.properties).toMatchObject({ hs_is_closed_won: 'true', pipeline: 'default' });
    const updated = await client.crm.deals.basicApi.update(deal.id, {
      properties: { dealstage: 'contractsent' },
    });
    expect(updated.properties.dealstage).toBe('contractsent');
    const after = await client.crm.deals.basicApi.getById(deal.id, ['hs_is_closed']);
    expect(after.properties.hs_is_closed).toBe('false');
  });

  it('answers 401 without a token and with a wrong token', async () => {
    const missing = await call(sandbox, 'GET', '/crm/v3/objects/deals', undefined, null);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    const wrong = await call(sandbox, 'GET', '/crm/v3/objects/deals', undefined, 'pat-not-the-token');
    expect(wrong.status).toBe(401);
    const client = clientFor({ ...sandbox, accessToken: 'pat-not-the-token' });
    await expect(client.crm.deals.basicApi.getPage()).rejects.toMatchObject({ code: 401 });
  });

  it('rejects unknown, read-only and mistyped properties with one 400 naming each', async () => {
    const response = await call(sandbox, 'POST', '/crm/v3/objects/deals', {
      properties: {
        dealname: 'x',
        not_a_property: 'y',
        amount: 'lots',
        hs_object_id: '5',
        dealstage: 'nowhere',
      },
    });
    expect(response.status).toBe(400);
    const body = response.body as {
      category: string;
      message: string;
      errors: { context: { propertyName: string[] } }[];
    };
    expect(body.category).toBe('VALIDATION_ERROR');
    expect(body.errors.map((error) => error.context.propertyName[0]).sort()).toEqual([
      'amount',
      'dealstage',
      'hs_object_id',
      'not_a_property',
    ]);
    const count = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', {
      filterGroups: [{ filters: [{ propertyName: 'dealname', operator: 'EQ', value: 'x' }] }],
    });
    expect((count.body as { total: number }).total).toBe(0);
  });

  it('answers 400 for malformed JSON and for an unknown object type', async () => {
    const malformed = await call(sandbox, 'POST', '/crm/v3/objects/deals', '{"properties":');
    expect(malformed.status).toBe(400);
    expect((malformed.body as { message: string }).message).toMatch(/Invalid input JSON/);
    const unknownType = await call(sandbox, 'GET', '/crm/v3/objects/spaceships');
    expect(unknownType.status).toBe(400);
    expect((unknownType.body as { message: string }).message).toContain('spaceships');
  });

  it('answers 409 for a contact email that already exists, case-insensitively', async () => {
    const first = await call(sandbox, 'POST', '/crm/v3/objects/contacts', {
      properties: { email: 'ann@partner.example' },
    });
    expect(first.status).toBe(201);
    const second = await call(sandbox, 'POST', '/crm/v3/objects/contacts', {
      properties: { email: 'ANN@partner.example' },
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${(first.body as { id: string }).id}`,
    });
  });

  it('answers 400 VALIDATION_ERROR, not 409, for a unique value another company already holds', async () => {
    const property = await call(sandbox, 'POST', '/crm/v3/properties/companies', {
      name: 'customer_key_unique',
      label: 'Customer key',
      type: 'string',
      fieldType: 'text',
      groupName: 'companyinformation',
      hasUniqueValue: true,
    });
    expect(property.status).toBe(201);
    const first = await call(sandbox, 'POST', '/crm/v3/objects/companies', {
      properties: { name: 'Initech', customer_key_unique: 'initech.example' },
    });
    expect(first.status).toBe(201);

    const second = await call(sandbox, 'POST', '/crm/v3/objects/companies', {
      properties: { name: 'Initech again', customer_key_unique: 'initech.example' },
    });

    expect(second.status).toBe(400);
    expect(second.body).toMatchObject({
      category: 'VALIDATION_ERROR',
      message: expect.stringContaining('customer_key_unique'),
    });
  });

  it('pages a list with `after` and returns every record exactly once', async () => {
    const client = clientFor(sandbox);
    const names = Array.from({ length: 23 }, (_, i) => `Paged company ${i}`);
    const created = await client.crm.companies.batchApi.create({
      inputs: names.map((name) => ({ properties: { name, industry: 'paging' }, associations: [] })),
    });
    expect(created.results).toHaveLength(23);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.companies.basicApi.getPage(10, after, ['industry']);
      pages++;
      for (const company of page.results) if (company.properties.industry === 'paging') seen.push(company.id);
      after = page.paging?.next?.after;
    } while (after !== undefined);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(23);
    expect(seen).toHaveLength(23);
  });

  it('batch-reads up to 100 ids, reports missing ones with 207 and refuses 101 inputs with 400', async () => {
    const client = clientFor(sandbox);
    const created = await client.crm.deals.batchApi.create({
      inputs: Array.from({ length: 100 }, (_, i) => ({
        properties: { dealname: `batch ${i}`, amount: String(i) },
        associations: [],
      })),
    });
    const ids = created.results.map((deal) => deal.id);
    const read = await client.crm.deals.batchApi.read({
      inputs: ids.map((id) => ({ id })),
      properties: ['amount'],
      propertiesWithHistory: [],
    });
    expect(read.results).toHaveLength(100);
    expect(read.results.find((deal) => deal.properties.amount === '42')).toBeDefined();

    const partial = await call(sandbox, 'POST', '/crm/v3/objects/deals/batch/read', {
      inputs: [{ id: ids[0] }, { id: '1' }],
      properties: [],
    });
    expect(partial.status).toBe(207);
    expect(partial.body).toMatchObject({
      numErrors: 1,
      errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['1'] } }],
    });

    const tooMany = await call(sandbox, 'POST', '/crm/v3/objects/deals/batch/read', {
      inputs: [...ids, '1'].map((id) => ({ id })),
      properties: [],
    });
    expect(tooMany.status).toBe(400);
    expect((tooMany.body as { message: string }).message).toContain('101');
  });

  it('updates in batch with 200 and writes nothing when one input is invalid', async () => {
    const client = clientFor(sandbox);
    const created = await client.crm.deals.batchApi.create({
      inputs: [0, 1].map((i) => ({
        properties: { dealname: `atomic ${i}`, amount: '10' },
        associations: [],
      })),
    });
    const [first, second] = created.results.map((deal) => deal.id);
    const bad = await call(sandbox, 'POST', '/crm/v3/objects/deals/batch/update', {
      inputs: [
        { id: first, properties: { amount: '20' } },
        { id: second, properties: { amount: 'twenty' } },
      ],
    });
    expect(bad.status).toBe(400);
    const unchanged = await client.crm.deals.basicApi.getById(first ?? '', ['amount']);
    expect(unchanged.properties.amount).toBe('10');
    const good = await client.crm.deals.batchApi.update({
      inputs: [{ id: first ?? '', properties: { amount: '20' } }],
    });
    expect(good.results[0]?.properties.amount).toBe('20');
  });

  it('creates a record with associations in one call and lists them on read', async () => {
    const client = clientFor(sandbox);
    const company = await client.crm.companies.basicApi.create({
      properties: { name: 'Initech' },
      associations: [],
    });
    const deal = await client.crm.deals.basicApi.create({
      properties: { dealname: 'Initech renewal' },
      associations: [
        {
          to: { id: company.id },
          types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 341 }],
        },
      ],
    });
    const read = await call(sandbox, 'GET', `/crm/v3/objects/deals/${deal.id}?associations=companies`);
    expect(read.body).toMatchObject({
      associations: { companies: { results: [{ id: company.id, type: 'deal_to_company' }] } },
    });
  });

  it('drops archived records from search and list, and lists them with archived=true', async () => {
    const client = clientFor(sandbox);
    const deal = await client.crm.deals.basicApi.create({
      properties: { dealname: 'soon archived', description: 'archive-me' },
      associations: [],
    });
    await client.crm.deals.basicApi.archive(deal.id);
    const search = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', {
      filterGroups: [{ filters: [{ propertyName: 'description', operator: 'EQ', value: 'archive-me' }] }],
    });
    expect((search.body as { total: number }).total).toBe(0);
    const archived = await call(sandbox, 'GET', '/crm/v3/objects/deals?archived=true&limit=100');
    const results = (archived.body as { results: { id: string; archived: boolean }[] }).results;
    expect(results).toContainEqual(expect.objectContaining({ id: deal.id, archived: true }));
    expect((await call(sandbox, 'DELETE', `/crm/v3/objects/deals/${deal.id}`)).status).toBe(204);
  });

  it('upserts by a unique property: updates the existing record and creates the missing one', async () => {
    const client = clientFor(sandbox);
    const existing = await client.crm.contacts.basicApi.create({
      properties: { email: 'upsert@partner.example', firstname: 'Old' },
      associations: [],
    });
    const response = await call(sandbox, 'POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [
        { id: 'upsert@partner.example', idProperty: 'email', properties: { firstname: 'New' } },
        { id: 'fresh@partner.example', idProperty: 'email', properties: { firstname: 'Fresh' } },
      ],
    });
    expect(response.status).toBe(200);
    const results = (response.body as { results: { id: string; new: boolean }[] }).results;
    expect(results).toContainEqual(expect.objectContaining({ id: existing.id, new: false }));
    expect(results.filter((result) => result.new)).toHaveLength(1);
    const read = await call(
      sandbox,
      'GET',
      '/crm/v3/objects/contacts/fresh@partner.example?idProperty=email&properties=firstname',
    );
    expect(read.body).toMatchObject({ properties: { firstname: 'Fresh' } });
  });

  it('lists owners filtered by email and the associations of one record through v4', async () => {
    const client = clientFor(sandbox);
    const company = await client.crm.companies.basicApi.create({
      properties: { name: 'Hub' },
      associations: [],
    });
    const deals = await client.crm.deals.batchApi.create({
      inputs: [0, 1, 2].map((i) => ({ properties: { dealname: `hub ${i}` }, associations: [] })),
    });
    for (const deal of deals.results) {
      await client.crm.associations.v4.basicApi.createDefault('companies', company.id, 'deals', deal.id);
    }
    const page = await client.crm.associations.v4.basicApi.getPage(
      'companies',
      company.id,
      'deals',
      undefined,
      2,
    );
    expect(page.results).toHaveLength(2);
    expect(page.paging?.next?.after).toBeDefined();
    const rest = await client.crm.associations.v4.basicApi.getPage(
      'companies',
      company.id,
      'deals',
      page.paging?.next?.after,
      2,
    );
    const all = [...page.results, ...rest.results].map((result) => String(result.toObjectId)).sort();
    expect(all).toEqual(deals.results.map((deal) => deal.id).sort());
    expect(rest.results[0]?.associationTypes).toEqual([
      { category: 'HUBSPOT_DEFINED', typeId: 342, label: null },
    ]);

    await call(sandbox, 'POST', '/_sandbox/seed', {
      owners: [
        { id: '801', email: 'rep.one@vendor.example', firstName: 'Rep', lastName: 'One' },
        { id: '802', email: 'rep.two@vendor.example', firstName: 'Rep', lastName: 'Two' },
      ],
    });
    const owners = await client.crm.owners.ownersApi.getPage('REP.TWO@vendor.example');
    expect(owners.results.map((owner) => owner.id)).toEqual(['802']);
    expect((await call(sandbox, 'GET', '/crm/v3/owners/999')).status).toBe(404);
  });
});
