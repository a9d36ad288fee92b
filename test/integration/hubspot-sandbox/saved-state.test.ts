import { afterEach, describe, expect, it } from 'vitest';
import {
  type RunningHubSpotSandbox,
  readSeedFile,
  SandboxSeedError,
  type SandboxSnapshot,
  sandboxSnapshotSchema,
  startHubSpotSandbox,
} from '#local/hubspot-sandbox/index.ts';
import { call, clientFor } from './sandbox-fixture.ts';

const running: RunningHubSpotSandbox[] = [];
afterEach(async () => {
  for (const sandbox of running.splice(0)) await sandbox.stop();
});

async function start(options: Parameters<typeof startHubSpotSandbox>[0]): Promise<RunningHubSpotSandbox> {
  const sandbox = await startHubSpotSandbox({ rateLimit: false, ...options });
  running.push(sandbox);
  return sandbox;
}

/** What the local stack does between two runs: the snapshot goes through a JSON file. */
function throughJson(snapshot: SandboxSnapshot): SandboxSnapshot {
  return sandboxSnapshotSchema.parse(JSON.parse(JSON.stringify(snapshot)));
}

const FORM = '8f2c6a3e-1d47-4b59-9e0a-5c7d3b21f604';

describe('HubSpot sandbox: saved state', () => {
  it('carries on from a snapshot with the same records, ids, labels, associations, schemas, forms and settings', async () => {
    const first = await start({ seed: await readSeedFile() });
    const client = clientFor(first);
    const schema = await call(first, 'POST', '/crm/v3/schemas', {
      name: 'deal_registration',
      labels: { singular: 'Deal Registration', plural: 'Deal Registrations' },
      primaryDisplayProperty: 'registration_id',
      requiredProperties: ['registration_id'],
      properties: [
        {
          name: 'registration_id',
          label: 'Registration id',
          type: 'string',
          fieldType: 'text',
          hasUniqueValue: true,
        },
      ],
      associatedObjects: ['DEAL'],
    });
    expect(schema.status).toBe(201);
    const label = await client.crm.associations.v4.schema.definitionsApi.create('companies', 'deals', {
      label: 'Sourced partner',
      name: 'partner_sourced',
    });
    const sourced = label.results[0]?.typeId;
    const partner = await client.crm.companies.basicApi.create({
      properties: { name: 'Acme Partners', domain: 'acme-partners.example', type: 'PARTNER' },
      associations: [],
    });
    const deal = await client.crm.deals.basicApi.create({
      properties: { dealname: 'Acme – renewal', amount: '5000', dealstage: 'appointmentscheduled' },
      associations: [],
    });
    const labelled = await call(
      first,
      'PUT',
      `/crm/v4/objects/companies/${partner.id}/associations/deals/${deal.id}`,
      [{ associationCategory: 'USER_DEFINED', associationTypeId: sourced }],
    );
    expect(labelled.status).toBe(201);
    const registration = await call(first, 'POST', '/crm/v3/objects/deal_registration', {
      properties: { registration_id: 'DR-1' },
    });
    expect(registration.status).toBe(201);
    const archived = await client.crm.companies.basicApi.create({
      properties: { name: 'Gone' },
      associations: [],
    });
    await client.crm.companies.basicApi.archive(archived.id);
    const submitted = await call(
      first,
      'POST',
      `/submissions/v3/integration/submit/${first.portalId}/${FORM}`,
      {
        fields: [
          { name: 'email', value: 'maya.chen@cloudwise.io' },
          { name: 'partner_company_domain', value: 'cloudwise.io' },
          { name: 'customer_company_name', value: 'Initrode' },
          { name: 'customer_domain', value: 'initrode.com' },
          { name: 'estimated_amount', value: '12000' },
          { name: 'expected_close_date', value: '2027-03-01' },
        ],
      },
    );
    expect(submitted.status).toBe(200);
    await call(first, 'PUT', '/_sandbox/webhooks', { crmBatchSize: 10, subscribedProperties: ['amount'] });
    const before = await call(first, 'GET', '/_sandbox/state?records=true');

    const second = await start({ state: throughJson(first.snapshot()) });

    const after = await call(second, 'GET', '/_sandbox/state?records=true');
    const { stats: _before, ...kept } = before.body as Record<string, unknown>;
    const { stats: _after, ...resumed } = after.body as Record<string, unknown>;
    expect(resumed).toEqual(kept);
    const again = clientFor(second);
    expect((await again.crm.deals.basicApi.getById(deal.id, ['dealname'])).properties.dealname).toBe(
      'Acme – renewal',
    );
    const associations = await call(second, 'GET', `/crm/v4/objects/deals/${deal.id}/associations/companies`);
    expect(associations.body).toMatchObject({
      results: [
        {
          toObjectId: Number(partner.id),
          associationTypes: expect.arrayContaining([expect.objectContaining({ label: 'Sourced partner' })]),
        },
      ],
    });
    const found = await again.crm.companies.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'domain', operator: 'EQ' as never, value: 'acme-partners.example' }] },
      ],
      properties: ['name'],
      limit: 10,
      after: '0',
      sorts: [],
    });
    expect(found.results.map((company) => company.id)).toEqual([partner.id]);
    // The unique value index is rebuilt from the records: the registration id is still taken.
    const duplicate = await call(second, 'POST', '/crm/v3/objects/deal_registration', {
      properties: { registration_id: 'DR-1' },
    });
    expect(duplicate.status).toBe(400);
    expect(JSON.stringify(duplicate.body)).toContain('already has that value');
    // New ids continue after the saved ones.
    const next = await again.crm.companies.basicApi.create({
      properties: { name: 'Next' },
      associations: [],
    });
    expect(Number(next.id)).toBeGreaterThan(Math.max(Number(archived.id), Number(deal.id)));
    const submissions = await call(second, 'GET', `/form-integrations/v1/submissions/forms/${FORM}`);
    expect((submissions.body as { results: unknown[] }).results).toHaveLength(1);
    expect((await call(second, 'GET', '/_sandbox/webhooks')).body).toMatchObject({
      crmBatchSize: 10,
      subscribedProperties: ['amount'],
    });
  });

  it('reports every request that may change it, and none that only reads', async () => {
    let changes = 0;
    const sandbox = await start({ seed: { forms: [] }, onStateChange: () => changes++ });
    await call(sandbox, 'GET', '/crm/v3/objects/companies');
    await call(sandbox, 'GET', '/_sandbox/state');
    expect(changes).toBe(0);
    await call(sandbox, 'POST', '/crm/v3/objects/companies', { properties: { name: 'Initrode' } });
    await call(sandbox, 'POST', '/_sandbox/seed', { owners: [] });
    expect(changes).toBe(2);
  });

  it('refuses a seed and a saved state together, and a saved state of another portal', async () => {
    const sandbox = await start({ seed: { forms: [] } });
    const snapshot = sandbox.snapshot();
    await expect(startHubSpotSandbox({ seed: { forms: [] }, state: snapshot })).rejects.toThrow(
      SandboxSeedError,
    );
    await expect(startHubSpotSandbox({ portalId: 42, state: snapshot })).rejects.toThrow(
      `the saved state is portal ${sandbox.portalId}, not 42`,
    );
  });
});
