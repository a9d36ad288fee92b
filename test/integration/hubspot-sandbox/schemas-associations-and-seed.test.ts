import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type RunningHubSpotSandbox,
  readSeedFile,
  type SandboxSeed,
  SandboxSeedError,
  startHubSpotSandbox,
} from '#local/hubspot-sandbox/index.ts';
import { call, clientFor } from './sandbox-fixture.ts';

let sandbox: RunningHubSpotSandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function start(seed?: SandboxSeed): Promise<RunningHubSpotSandbox> {
  sandbox = await startHubSpotSandbox({ rateLimit: false, seed });
  return sandbox;
}

const registrationSchema = {
  name: 'deal_registration',
  labels: { singular: 'Deal Registration', plural: 'Deal Registrations' },
  primaryDisplayProperty: 'registration_id',
  secondaryDisplayProperties: [],
  searchableProperties: ['registration_id'],
  requiredProperties: ['registration_id'],
  properties: [
    {
      name: 'registration_id',
      label: 'Registration id',
      type: 'string',
      fieldType: 'text',
      hasUniqueValue: true,
    },
    {
      name: 'status',
      label: 'Status',
      type: 'enumeration',
      fieldType: 'select',
      options: [
        { label: 'Approved', value: 'approved' },
        { label: 'Rejected', value: 'rejected' },
      ],
    },
  ],
  associatedObjects: ['COMPANY', 'DEAL', 'CONTACT'],
};

describe('HubSpot sandbox: custom object schemas and properties', () => {
  it('creates a schema with 201, lists and gets it by id, name and fully qualified name, and answers 409 a second time', async () => {
    const running = await start();
    const client = clientFor(running);
    const created = await client.crm.schemas.coreApi.create(registrationSchema as never);
    expect(created.objectTypeId).toMatch(/^2-\d+$/);
    expect(created.fullyQualifiedName).toBe(`p${running.portalId}_deal_registration`);
    expect(created.associations.map((association) => association.toObjectTypeId).sort()).toEqual([
      '0-1',
      '0-2',
      '0-3',
    ]);

    const listed = await client.crm.schemas.coreApi.getAll();
    expect(listed.results.map((schema) => schema.objectTypeId)).toEqual([created.objectTypeId]);
    for (const key of [created.objectTypeId, 'deal_registration', created.fullyQualifiedName]) {
      expect((await call(running, 'GET', `/crm/v3/schemas/${key}`)).status).toBe(200);
    }
    expect((await call(running, 'GET', '/crm/v3/schemas/not_there')).status).toBe(404);
    const again = await call(running, 'POST', '/crm/v3/schemas', registrationSchema);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ category: 'CONFLICT' });
  });

  it('stores custom object records, enforces required and unique values and reads them by idProperty', async () => {
    const running = await start({ schemas: [registrationSchema] });
    const client = clientFor(running);
    const [schema] = (await client.crm.schemas.coreApi.getAll()).results;
    const fullyQualifiedName = schema?.fullyQualifiedName;
    const objectTypeId = schema?.objectTypeId;
    if (fullyQualifiedName === undefined || objectTypeId === undefined) throw new Error('schema missing');
    const record = await client.crm.objects.basicApi.create(fullyQualifiedName, {
      properties: { registration_id: 'REG-1', status: 'approved' },
      associations: [],
    });
    expect(
      (
        await call(running, 'POST', `/crm/v3/objects/${objectTypeId}`, {
          properties: { status: 'approved' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call(running, 'POST', `/crm/v3/objects/${objectTypeId}`, {
          properties: { registration_id: 'reg-1' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call(running, 'POST', `/crm/v3/objects/${objectTypeId}`, {
          properties: { registration_id: 'REG-2', status: 'maybe' },
        })
      ).status,
    ).toBe(400);
    const byUnique = await client.crm.objects.basicApi.getById(
      objectTypeId,
      'REG-1',
      ['status'],
      undefined,
      undefined,
      false,
      'registration_id',
    );
    expect(byUnique.id).toBe(record.id);
    expect(byUnique.properties.status).toBe('approved');
  });

  it('creates properties with 201 (one or a batch), lists and gets them, and answers 409 for a taken name', async () => {
    const running = await start();
    const client = clientFor(running);
    const created = await client.crm.properties.coreApi.create('deals', {
      name: 'dealreg_registration_id',
      label: 'Deal registration id',
      type: 'string' as never,
      fieldType: 'text' as never,
      groupName: 'dealinformation',
    });
    expect(created.name).toBe('dealreg_registration_id');
    const batch = await client.crm.properties.batchApi.create('deals', {
      inputs: [
        {
          name: 'dealreg_partner_relationship',
          label: 'Partner relationship',
          type: 'string' as never,
          fieldType: 'text' as never,
          groupName: 'dealinformation',
        },
      ],
    });
    expect(batch.results).toHaveLength(1);
    const all = await client.crm.properties.coreApi.getAll('deals');
    expect(all.results.map((property) => property.name)).toEqual(
      expect.arrayContaining(['dealname', 'dealreg_registration_id', 'dealreg_partner_relationship']),
    );
    expect((await client.crm.properties.coreApi.getByName('deals', 'dealreg_registration_id')).label).toBe(
      'Deal registration id',
    );
    const duplicate = await call(running, 'POST', '/crm/v3/properties/deals', {
      name: 'dealreg_registration_id',
      label: 'x',
      type: 'string',
      fieldType: 'text',
      groupName: 'dealinformation',
    });
    expect(duplicate.status).toBe(409);
    const noGroup = await call(running, 'POST', '/crm/v3/properties/deals', {
      name: 'other',
      label: 'x',
      type: 'string',
      fieldType: 'text',
      groupName: 'nope',
    });
    expect(noGroup.status).toBe(400);
    const group = await client.crm.properties.groupsApi.create('deals', {
      name: 'dealreg',
      label: 'Dealreg',
    });
    expect(group.name).toBe('dealreg');
    // The new property is writable on records.
    const deal = await client.crm.deals.basicApi.create({
      properties: { dealname: 'x', dealreg_registration_id: 'REG-9' },
      associations: [],
    });
    expect(deal.properties.dealreg_registration_id).toBe('REG-9');
  });
});

describe('HubSpot sandbox: associations v4', () => {
  it('creates partner labels (200), associates with a label (201) and reads labels back in batch', async () => {
    const running = await start({
      companies: [{ id: '11', properties: { name: 'Partner', type: 'PARTNER' } }],
      deals: [
        { id: '21', properties: { dealname: 'Deal' } },
        { id: '22', properties: { dealname: 'Other deal' } },
      ],
    });
    const client = clientFor(running);
    const created = await client.crm.associations.v4.schema.definitionsApi.create('companies', 'deals', {
      label: 'Sourced',
      name: 'partner_sourced',
    });
    const [forward] = created.results;
    if (forward === undefined) throw new Error('no label');
    expect(forward).toMatchObject({ category: 'USER_DEFINED', label: 'Sourced' });
    const duplicate = await call(running, 'POST', '/crm/v4/associations/companies/deals/labels', {
      label: 'Sourced',
      name: 'partner_sourced',
    });
    expect(duplicate.status).toBe(409);

    const labels = await client.crm.associations.v4.schema.definitionsApi.getAll('companies', 'deals');
    expect(labels.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ category: 'HUBSPOT_DEFINED', typeId: 342 }),
        expect.objectContaining({ category: 'USER_DEFINED', label: 'Sourced', typeId: forward.typeId }),
      ]),
    );

    const put = await call(running, 'PUT', '/crm/v4/objects/companies/11/associations/deals/21', [
      { associationCategory: 'USER_DEFINED', associationTypeId: forward.typeId },
    ]);
    expect(put.status).toBe(201);
    expect(put.body).toEqual({
      fromObjectTypeId: '0-2',
      fromObjectId: 11,
      toObjectTypeId: '0-3',
      toObjectId: 21,
      labels: ['Sourced'],
    });

    const batch = await client.crm.associations.v4.batchApi.create('companies', 'deals', {
      inputs: [
        {
          _from: { id: '11' },
          to: { id: '22' },
          types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 342 }],
        },
      ],
    });
    expect(batch.results).toHaveLength(1);

    const read = await call(running, 'POST', '/crm/v4/associations/deals/companies/batch/read', {
      inputs: [{ id: '21' }, { id: '22' }, { id: '23' }],
    });
    expect(read.status).toBe(207);
    const body = read.body as {
      results: {
        from: { id: string };
        to: { toObjectId: number; associationTypes: { label: string | null }[] }[];
      }[];
    };
    const deal21 = body.results.find((result) => result.from.id === '21');
    expect(deal21?.to[0]?.toObjectId).toBe(11);
    expect(deal21?.to[0]?.associationTypes.map((type) => type.label).sort()).toEqual(
      ['Sourced', null].sort(),
    );

    const wrongType = await call(running, 'PUT', '/crm/v4/objects/companies/11/associations/deals/21', [
      { associationCategory: 'USER_DEFINED', associationTypeId: 1 },
    ]);
    expect(wrongType.status).toBe(400);
    const missingDeal = await call(running, 'PUT', '/crm/v4/objects/companies/11/associations/deals/99', [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 342 },
    ]);
    expect(missingDeal.status).toBe(404);
  });
});

describe('HubSpot sandbox: changing definitions', () => {
  it('updates a custom property with 200 so a new option becomes writable, and refuses HubSpot-defined ones', async () => {
    const running = await start({
      properties: {
        deals: [
          {
            name: 'dealreg_relationship',
            type: 'enumeration',
            fieldType: 'select',
            options: [{ label: 'Sourced', value: 'sourced' }],
          },
        ],
      },
    });
    const rejected = await call(running, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'x', dealreg_relationship: 'resell' },
    });
    expect(rejected.status).toBe(400);
    const client = clientFor(running);
    const updated = await client.crm.properties.coreApi.update('deals', 'dealreg_relationship', {
      options: [
        { label: 'Sourced', value: 'sourced', displayOrder: 0, hidden: false },
        { label: 'Resell', value: 'resell', displayOrder: 1, hidden: false },
      ],
    });
    expect(updated.options.map((option) => option.value)).toEqual(['sourced', 'resell']);
    const accepted = await call(running, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'x', dealreg_relationship: 'resell' },
    });
    expect(accepted.status).toBe(201);
    expect(
      (await call(running, 'PATCH', '/crm/v3/properties/deals/dealstage', { label: 'Stage' })).status,
    ).toBe(400);
  });

  it("replaces a property's options with the list sent, keeping their descriptions, and refuses an option without a label", async () => {
    const running = await start({
      properties: {
        deals: [
          {
            name: 'dealreg_relationship',
            type: 'enumeration',
            fieldType: 'select',
            options: [
              { label: 'Sourced', value: 'sourced' },
              { label: 'Influenced', value: 'influenced' },
            ],
          },
        ],
      },
    });
    const path = '/crm/v3/properties/deals/dealreg_relationship';

    const unlabelled = await call(running, 'PATCH', path, { options: [{ value: 'sourced', hidden: false }] });
    const replaced = await call(running, 'PATCH', path, {
      options: [
        { label: 'Partner-sourced', value: 'sourced', description: 'Brought by the partner', hidden: false },
      ],
    });

    expect(unlabelled.status).toBe(400);
    expect(replaced.status).toBe(200);
    expect((replaced.body as { options: unknown[] }).options).toEqual([
      {
        label: 'Partner-sourced',
        value: 'sourced',
        description: 'Brought by the partner',
        displayOrder: 0,
        hidden: false,
      },
    ]);
  });

  it('renames a label (204) and deletes one (204), taking it off every association that carried it', async () => {
    const running = await start({
      companies: [{ id: '11', properties: { name: 'Partner', type: 'PARTNER' } }],
      deals: [{ id: '21', properties: { dealname: 'Deal' } }],
      labels: [{ from: 'companies', to: 'deals', label: 'Referral', name: 'partner_referral' }],
      associations: [
        { from: { type: 'companies', id: '11' }, to: { type: 'deals', id: '21' }, label: 'Referral' },
      ],
    });
    const labelsOf = async () =>
      (
        (await call(running, 'GET', '/crm/v4/associations/companies/deals/labels')).body as {
          results: { typeId: number; label: string | null }[];
        }
      ).results;
    const referral = (await labelsOf()).find((type) => type.label === 'Referral');
    if (referral === undefined) throw new Error('label missing');
    const renamed = await call(running, 'PUT', '/crm/v4/associations/companies/deals/labels', {
      associationTypeId: referral.typeId,
      label: 'Referred',
    });
    expect(renamed.status).toBe(204);
    expect((await labelsOf()).map((type) => type.label)).toContain('Referred');

    const removed = await call(
      running,
      'DELETE',
      `/crm/v4/associations/companies/deals/labels/${referral.typeId}`,
    );
    expect(removed.status).toBe(204);
    expect((await labelsOf()).some((type) => type.typeId === referral.typeId)).toBe(false);
    const associations = await call(running, 'GET', '/crm/v4/objects/companies/11/associations/deals');
    expect(associations.body).toEqual({
      results: [
        { toObjectId: 21, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 342, label: null }] },
      ],
    });
    expect((await call(running, 'DELETE', `/crm/v4/associations/companies/deals/labels/342`)).status).toBe(
      404,
    );
  });
});

describe('HubSpot sandbox: pipelines, owners, forms and seeding', () => {
  it('loads demo-seed.json: partners, owners, open and closed deals, engagements and the registration form', async () => {
    const running = await start(await readSeedFile());
    const client = clientFor(running);
    const partners = await client.crm.companies.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'type', operator: 'EQ' as never, value: 'PARTNER' }] }],
      properties: ['domain'],
      sorts: [],
      limit: 100,
      after: '0',
    });
    expect(partners.total).toBeGreaterThanOrEqual(2);
    const owners = await client.crm.owners.ownersApi.getPage(undefined, undefined, 2);
    expect(owners.results).toHaveLength(2);
    expect(owners.paging?.next?.after).toBeDefined();
    const open = await client.crm.deals.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'hs_is_closed', operator: 'EQ' as never, value: 'false' }] },
      ],
      properties: ['hubspot_owner_id'],
      sorts: [],
      limit: 100,
      after: '0',
    });
    const closedWon = await client.crm.deals.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'hs_is_closed_won', operator: 'EQ' as never, value: 'true' }] },
      ],
      properties: [],
      sorts: [],
      limit: 100,
      after: '0',
    });
    expect(open.total).toBeGreaterThan(0);
    expect(closedWon.total).toBeGreaterThan(0);
    const meetings = await client.crm.objects.searchApi.doSearch('meetings', {
      filterGroups: [
        {
          filters: [
            { propertyName: 'hs_timestamp', operator: 'GTE' as never, value: '2026-09-01T00:00:00Z' },
          ],
        },
      ],
      properties: ['hubspot_owner_id', 'hs_timestamp'],
      sorts: [],
      limit: 100,
      after: '0',
    });
    expect(meetings.total).toBeGreaterThan(0);
    const forms = await client.marketing.forms.formsApi.getPage();
    const fieldNames = (
      forms.results[0] as unknown as { fieldGroups: { fields: { name: string }[] }[] }
    ).fieldGroups.flatMap((group) => group.fields.map((field) => field.name));
    expect(fieldNames).toEqual(
      expect.arrayContaining([
        'email',
        'partner_company_domain',
        'customer_company_name',
        'customer_domain',
        'estimated_amount',
        'expected_close_date',
      ]),
    );
    const pipelines = await client.crm.pipelines.pipelinesApi.getAll('deals');
    expect(pipelines.results[0]?.stages.find((stage) => stage.id === 'closedwon')?.metadata).toEqual({
      isClosed: 'true',
      probability: '1.0',
    });
  });

  it('refuses an invalid seed with 400 naming the problem and stores none of its records', async () => {
    const running = await start();
    const response = await call(running, 'POST', '/_sandbox/seed', {
      companies: [{ properties: { name: 'Fine' } }],
      deals: [{ properties: { dealname: 'Broken', amount: 'a lot' } }],
    });
    expect(response.status).toBe(400);
    expect((response.body as { message: string }).message).toContain('amount');
    const state = (await call(running, 'GET', '/_sandbox/state')).body as {
      types: Record<string, { records: number }>;
    };
    expect(state.types.companies?.records).toBe(0);
    expect(state.types.deals?.records).toBe(0);
    const unknownKey = await call(running, 'POST', '/_sandbox/seed', { spaceships: [] });
    expect(unknownKey.status).toBe(400);
  });

  it('names the file and the field when a seed file is invalid', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sandbox-seed-'));
    const path = join(directory, 'seed.json');
    await writeFile(
      path,
      JSON.stringify({ owners: [{ id: '1', email: 'not-an-email', firstName: 'A', lastName: 'B' }] }),
    );
    await expect(readSeedFile(path)).rejects.toThrow(SandboxSeedError);
    await expect(readSeedFile(path)).rejects.toThrow(/seed\.json.*owners\.0\.email/);
    await expect(readSeedFile(join(directory, 'missing.json'))).rejects.toThrow(/missing\.json/);
  });

  it('resets to an empty portal', async () => {
    const running = await start({ companies: [{ properties: { name: 'Gone soon' } }] });
    expect((await call(running, 'POST', '/_sandbox/reset')).status).toBe(200);
    const list = await call(running, 'GET', '/crm/v3/objects/companies');
    expect(list.body).toEqual({ results: [] });
  });
});
