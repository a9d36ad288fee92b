import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmNames } from '#ports/hubspot.ts';
import {
  dealRegistrationObjectSpec,
  type PolicyRequirements,
  setupHubSpotPortal,
} from '#use-cases/setup-hubspot-portal.ts';
import { type SandboxUnderTest, startSandboxUnderTest } from './sandbox.ts';

let under: SandboxUnderTest;

interface PortalShape {
  schemas: { objectTypeId: string; name: string; properties: string[]; associations: string[] }[];
  dealProperties: string[];
  labels: { typeId: number; label: string | null }[];
}

/** What the portal holds, read through the same admin port setup uses. */
async function portalShape(): Promise<PortalShape> {
  const schemas = await under.admin.listSchemas();
  return {
    schemas: schemas.map((schema) => ({
      objectTypeId: schema.objectTypeId,
      name: schema.name,
      properties: [...schema.propertyNames].sort(),
      associations: [...schema.associatedObjectTypeIds].sort(),
    })),
    dealProperties: (await under.admin.listPropertyNames('deals')).sort(),
    labels: (await under.admin.listAssociationLabels('companies', 'deals'))
      .map(({ typeId, label }) => ({ typeId, label }))
      .sort((a, b) => a.typeId - b.typeId),
  };
}

beforeAll(async () => {
  under = await startSandboxUnderTest();
});

afterAll(async () => {
  await under?.stop();
});

describe('dealreg hubspot setup', () => {
  it('changes nothing on a dry run and lists everything it would create', async () => {
    const before = await portalShape();

    const result = await setupHubSpotPortal(under.admin, { dryRun: true });

    expect(await portalShape()).toEqual(before);
    expect(result.items.every((item) => item.status === 'would create')).toBe(true);
    expect(result.items.filter((item) => item.kind === 'association label')).toHaveLength(4);
    expect(result.objectTypeId).toBeUndefined();
  });

  it('creates the object, its properties and associations, the deal properties and the partner labels', async () => {
    const result = await setupHubSpotPortal(under.admin, { dryRun: false });

    const shape = await portalShape();
    const schema = shape.schemas.find((candidate) => candidate.name === crmNames.registrationObject);
    expect(result.objectTypeId).toMatch(/^2-\d+$/);
    expect(schema?.objectTypeId).toBe(result.objectTypeId);
    expect(schema?.properties).toEqual(
      expect.arrayContaining(dealRegistrationObjectSpec.properties.map((p) => p.name)),
    );
    expect(schema?.associations).toEqual(expect.arrayContaining(['0-1', '0-2', '0-3']));
    expect(shape.dealProperties).toEqual(expect.arrayContaining(Object.values(crmNames.deal)));
    expect(shape.labels.map((label) => label.label)).toEqual(
      expect.arrayContaining(Object.values(crmNames.partnerLabels).map(([label]) => label)),
    );
    expect(result.items.every((item) => item.status === 'created')).toBe(true);
  });

  it('run again, finds everything in place and creates no duplicate', async () => {
    const before = await portalShape();

    const again = await setupHubSpotPortal(under.admin, { dryRun: false });

    expect(await portalShape()).toEqual(before);
    expect(again.items.every((item) => item.status === 'exists')).toBe(true);
    expect(before.schemas.filter((schema) => schema.name === crmNames.registrationObject)).toHaveLength(1);
    expect(before.labels.filter((label) => label.label === 'Sourced partner')).toHaveLength(1);
  });

  it('completes a portal where only part of the setup was done', async () => {
    const partial = await startSandboxUnderTest({
      seed: {
        properties: {
          deals: [
            { name: crmNames.deal.registrationId, type: 'string', fieldType: 'text', hasUniqueValue: true },
          ],
        },
        labels: [
          { from: 'companies', to: 'deals', label: 'Sourced partner', name: 'dealreg_sourced_partner' },
        ],
      },
    });
    try {
      const result = await setupHubSpotPortal(partial.admin, { dryRun: false });

      const statusOf = (name: string) => result.items.find((item) => item.name.endsWith(name))?.status;
      expect(statusOf(`deals.${crmNames.deal.registrationId}`)).toBe('exists');
      expect(statusOf(`deals.${crmNames.deal.partnerRelationship}`)).toBe('created');
      expect(statusOf('Sourced partner')).toBe('exists');
      expect(statusOf('Referral partner')).toBe('created');
      const labels = await partial.admin.listAssociationLabels('companies', 'deals');
      expect(labels.filter((label) => label.label === 'Sourced partner')).toHaveLength(1);
    } finally {
      await partial.stop();
    }
  });

  it('adds the associations and properties an older Deal Registration object lacks', async () => {
    const older = await startSandboxUnderTest({
      seed: {
        schemas: [
          {
            name: crmNames.registrationObject,
            labels: { singular: 'Deal Registration', plural: 'Deal Registrations' },
            primaryDisplayProperty: crmNames.registration.name,
            requiredProperties: [crmNames.registration.name],
            associatedObjects: ['COMPANY'],
            properties: [
              { name: crmNames.registration.name, label: 'Name', type: 'string', fieldType: 'text' },
            ],
          },
        ],
      },
    });
    try {
      const result = await setupHubSpotPortal(older.admin, { dryRun: false });

      const [schema] = await older.admin.listSchemas();
      const statusOf = (name: string) => result.items.find((item) => item.name === name)?.status;
      expect(statusOf(`${crmNames.registrationObject} ↔ companies`)).toBe('exists');
      expect(statusOf(`${crmNames.registrationObject} ↔ deals`)).toBe('created');
      expect(statusOf(`${crmNames.registrationObject}.${crmNames.registration.id}`)).toBe('created');
      expect(schema?.associatedObjectTypeIds).toEqual(expect.arrayContaining(['0-1', '0-2', '0-3']));
      expect(schema?.propertyNames).toContain(crmNames.registration.id);
    } finally {
      await older.stop();
    }
  });

  it('names a property of its name that has another type or is not unique, and leaves it as it is', async () => {
    const portal = await startSandboxUnderTest({
      seed: {
        properties: {
          deals: [
            // Made by hand before setup: a number, where Dealreg writes registration ids.
            { name: crmNames.deal.registrationId, type: 'number', fieldType: 'number', hasUniqueValue: true },
          ],
          companies: [
            // The right type, but without unique values: Dealreg reads companies by it.
            { name: crmNames.company.customerKey, type: 'string', fieldType: 'text' },
          ],
        },
      },
    });
    try {
      for (const dryRun of [true, false]) {
        const result = await setupHubSpotPortal(portal.admin, { dryRun });

        const conflicts = result.items.filter((item) => item.status === 'conflict');
        expect(conflicts.map((item) => item.name)).toEqual([
          `deals.${crmNames.deal.registrationId}`,
          `companies.${crmNames.company.customerKey}`,
        ]);
        expect(conflicts[0]?.fix).toContain(
          'it is a number property, and Dealreg writes string values into it: change its field type to Single-line text in HubSpot (Settings → Properties → Deal properties → dealreg_registration_id)',
        );
        expect(conflicts[1]?.fix).toContain('its values are not required to be unique');
        expect(conflicts[1]?.fix).toContain(
          'Settings → Properties → Company properties → dealreg_customer_key',
        );
      }
      const [dealProperty] = (await portal.admin.listProperties('deals')).filter(
        (property) => property.name === crmNames.deal.registrationId,
      );
      expect(dealProperty?.type).toBe('number');
    } finally {
      await portal.stop();
    }
  });

  it('names a partner label someone renamed as a conflict and completes the rest of the setup', async () => {
    const portal = await startSandboxUnderTest({
      seed: {
        labels: [
          // Made by an earlier setup, then renamed in HubSpot: the internal name stays.
          { from: 'companies', to: 'deals', label: 'Partner (sourced)', name: 'dealreg_sourced_partner' },
        ],
      },
    });
    try {
      const result = await setupHubSpotPortal(portal.admin, { dryRun: false });

      const labelItems = result.items.filter((item) => item.kind === 'association label');
      expect(labelItems.map((item) => `${item.status} ${item.name}`)).toEqual([
        'conflict companies → deals: Sourced partner',
        'created companies → deals: Influenced partner',
        'created companies → deals: Resell partner',
        'created companies → deals: Referral partner',
      ]);
      expect(labelItems[0]?.fix).toContain(
        'the portal has a company → deal label of internal name dealreg_sourced_partner under another label',
      );
      expect(labelItems[0]?.fix).toContain('rename that label back to "Sourced partner"');
      const labels = (await portal.admin.listAssociationLabels('companies', 'deals')).map(
        ({ label }) => label,
      );
      expect(labels).toContain('Partner (sourced)');
      expect(labels).not.toContain('Sourced partner');
    } finally {
      await portal.stop();
    }
  });

  describe('a portal set up by an earlier version', () => {
    /** The options a property holds in the sandbox, read over its Properties API. */
    async function optionsOf(portal: SandboxUnderTest, objectType: string, name: string) {
      const response = await fetch(`${portal.sandbox.url}/crm/v3/properties/${objectType}/${name}`, {
        headers: { authorization: `Bearer ${portal.sandbox.accessToken}` },
      });
      const property = (await response.json()) as { options: { label: string; value: string }[] };
      return property.options.map(({ label, value }) => ({ label, value }));
    }

    const oldRelationshipOptions = [
      { label: 'Sourced', value: 'sourced' },
      { label: 'Influenced', value: 'influenced' },
      // An option someone added by hand, which deals hold: kept as it is.
      { label: 'Co-sold', value: 'cosold' },
    ];

    async function olderPortal(): Promise<SandboxUnderTest> {
      return startSandboxUnderTest({
        seed: {
          properties: {
            deals: [
              {
                name: crmNames.deal.partnerRelationship,
                label: 'Registered partner relationship',
                type: 'enumeration',
                fieldType: 'select',
                options: oldRelationshipOptions,
              },
              // The portal owner's dropdown, not Dealreg's: never touched.
              {
                name: 'deal_source',
                label: 'Deal source',
                type: 'enumeration',
                fieldType: 'select',
                options: [{ label: 'sourced', value: 'sourced' }],
              },
            ],
          },
          deals: [
            {
              id: '9001',
              properties: { dealname: 'Co-sold deal', [crmNames.deal.partnerRelationship]: 'cosold' },
            },
          ],
        },
      });
    }

    it("relabels Dealreg's relationship options, adds the missing ones and keeps every other option", async () => {
      const portal = await olderPortal();
      try {
        const result = await setupHubSpotPortal(portal.admin, { dryRun: false });
        const again = await setupHubSpotPortal(portal.admin, { dryRun: false });

        const item = result.items.find(
          (candidate) => candidate.name === `deals.${crmNames.deal.partnerRelationship}`,
        );
        expect(item).toMatchObject({ status: 'updated' });
        expect(item?.change).toContain('sourced: "Sourced" → "Partner-sourced"');
        expect(item?.change).toContain('add resell "Resell"');
        expect(await optionsOf(portal, 'deals', crmNames.deal.partnerRelationship)).toEqual([
          { label: 'Partner-sourced', value: 'sourced' },
          { label: 'Partner-influenced', value: 'influenced' },
          { label: 'Co-sold', value: 'cosold' },
          { label: 'Resell', value: 'resell' },
          { label: 'Referral', value: 'referral' },
        ]);
        expect(await optionsOf(portal, 'deals', 'deal_source')).toEqual([
          { label: 'sourced', value: 'sourced' },
        ]);
        expect(
          again.items.find((candidate) => candidate.name === `deals.${crmNames.deal.partnerRelationship}`)
            ?.status,
        ).toBe('exists');
      } finally {
        await portal.stop();
      }
    });

    it('updates the options of the Deal Registration object it created too', async () => {
      const portal = await startSandboxUnderTest({
        seed: {
          schemas: [
            {
              ...dealRegistrationObjectSpec,
              properties: dealRegistrationObjectSpec.properties.map((property) =>
                property.name === crmNames.registration.relationship
                  ? { ...property, options: oldRelationshipOptions.slice(0, 2) }
                  : property,
              ),
            },
          ],
        },
      });
      try {
        const result = await setupHubSpotPortal(portal.admin, { dryRun: false });

        const name = `${crmNames.registrationObject}.${crmNames.registration.relationship}`;
        expect(result.items.find((item) => item.name === name)?.status).toBe('updated');
        expect(
          await optionsOf(portal, crmNames.registrationObject, crmNames.registration.relationship),
        ).toEqual(
          dealRegistrationObjectSpec.properties.find((p) => p.name === crmNames.registration.relationship)
            ?.options,
        );
      } finally {
        await portal.stop();
      }
    });

    it('reports the update on a dry run and changes nothing', async () => {
      const portal = await olderPortal();
      try {
        const result = await setupHubSpotPortal(portal.admin, { dryRun: true });

        const item = result.items.find(
          (candidate) => candidate.name === `deals.${crmNames.deal.partnerRelationship}`,
        );
        expect(item).toMatchObject({ status: 'would update' });
        expect(item?.change).toContain('influenced: "Influenced" → "Partner-influenced"');
        expect(await optionsOf(portal, 'deals', crmNames.deal.partnerRelationship)).toEqual(
          oldRelationshipOptions,
        );
      } finally {
        await portal.stop();
      }
    });
  });

  describe('what the policy names in the portal', () => {
    const policy: PolicyRequirements = {
      newDeals: { pipeline: 'partner-deals', stage: 'registered' },
      croProperty: 'deal_source',
      croPartnerValues: ['Partner', 'Partner referral'],
    };

    it('names every missing pipeline and CRO property, each with its fix, and creates neither', async () => {
      const portal = await startSandboxUnderTest();
      try {
        const result = await setupHubSpotPortal(portal.admin, { dryRun: false, policy });

        const missing = result.items.filter((item) => item.status === 'missing');
        expect(missing.map((item) => `${item.kind} ${item.name}`)).toEqual([
          'deal pipeline partner-deals',
          'CRO view property deals.deal_source',
        ]);
        expect(missing[0]?.fix).toContain(
          `newDeals.pipeline to one of the portal's deal pipeline ids (default ("Sales Pipeline"))`,
        );
        expect(missing[1]?.fix).toContain(
          'run setup again with --create-cro-property to create it as a dropdown of "Partner", "Partner referral"',
        );
        expect(await portal.admin.listPropertyNames('deals')).not.toContain('deal_source');
      } finally {
        await portal.stop();
      }
    });

    it("names a CRO dropdown whose options' internal values are not the policy's partner values, and leaves it as it is", async () => {
      const sourceOptions = [
        { label: 'Partner', value: 'partner' },
        { label: 'Direct', value: 'direct' },
      ];
      const portal = await startSandboxUnderTest({
        seed: {
          properties: {
            deals: [
              {
                name: 'deal_source',
                label: 'Deal source',
                type: 'enumeration',
                fieldType: 'select',
                options: sourceOptions,
              },
            ],
          },
        },
      });
      try {
        const result = await setupHubSpotPortal(portal.admin, {
          dryRun: false,
          createCroProperty: true,
          policy: { ...policy, newDeals: { pipeline: 'default', stage: 'appointmentscheduled' } },
        });

        const item = result.items.find((candidate) => candidate.kind === 'CRO view property');
        expect(item?.status).toBe('conflict');
        expect(item?.fix).toBe(
          'no option of this dropdown has the internal value "Partner" (the label of the option whose internal value is "partner"), "Partner referral", so the CRO view can never count a deal as a partner deal by them: set the policy\'s definitions.croView.partnerValues to internal values of its options ("partner", "direct"), or add the options in HubSpot (Settings → Properties → Deal properties → deal_source)',
        );
        const [held] = (await portal.admin.listProperties('deals')).filter(
          (property) => property.name === 'deal_source',
        );
        expect(held?.options.map(({ label, value }) => ({ label, value }))).toEqual(sourceOptions);

        const matching = await setupHubSpotPortal(portal.admin, {
          dryRun: true,
          policy: {
            ...policy,
            croPartnerValues: ['partner'],
            newDeals: { pipeline: 'default', stage: 'appointmentscheduled' },
          },
        });
        expect(matching.items.find((candidate) => candidate.kind === 'CRO view property')?.status).toBe(
          'exists',
        );
      } finally {
        await portal.stop();
      }
    });

    it('answers a pipeline or stage named by its label with its id, and a closed stage as closed', async () => {
      const portal = await startSandboxUnderTest();
      try {
        const fixOf = async (newDeals: PolicyRequirements['newDeals']) => {
          const result = await setupHubSpotPortal(portal.admin, {
            dryRun: true,
            policy: { ...policy, newDeals },
          });
          return result.items
            .filter((item) => item.kind === 'deal pipeline' || item.kind === 'deal stage')
            .map((item) => `${item.status} ${item.name}${item.fix === undefined ? '' : `: ${item.fix}`}`);
        };

        expect(await fixOf({ pipeline: 'Sales pipeline', stage: 'appointmentscheduled' })).toEqual([
          'missing Sales pipeline: "Sales pipeline" is the label of pipeline default: set the policy\'s newDeals.pipeline to its id, default (the policy names pipelines by id)',
        ]);
        expect(await fixOf({ pipeline: 'default', stage: 'Appointment Scheduled' })).toEqual([
          'exists default',
          'missing default / Appointment Scheduled: "Appointment Scheduled" is the label of stage appointmentscheduled: set the policy\'s newDeals.stage to its id, appointmentscheduled (the policy names stages by id)',
        ]);
        const [closed] = (await fixOf({ pipeline: 'default', stage: 'closedwon' })).slice(1);
        expect(closed).toContain(
          'missing default / closedwon: closedwon ("Closed Won") is a closed stage, and an approved registration\'s deal is an open one: set the policy\'s newDeals.stage to an open stage id of pipeline default (appointmentscheduled ("Appointment Scheduled"),',
        );
      } finally {
        await portal.stop();
      }
    });

    it('creates the CRO property as a dropdown of the partner values when asked, and only lists it on a dry run', async () => {
      const portal = await startSandboxUnderTest();
      try {
        const options = {
          policy: { ...policy, newDeals: { pipeline: 'default', stage: 'appointmentscheduled' } },
        };

        const dry = await setupHubSpotPortal(portal.admin, {
          ...options,
          dryRun: true,
          createCroProperty: true,
        });
        const namesAfterDryRun = await portal.admin.listPropertyNames('deals');
        const real = await setupHubSpotPortal(portal.admin, {
          ...options,
          dryRun: false,
          createCroProperty: true,
        });
        const again = await setupHubSpotPortal(portal.admin, {
          ...options,
          dryRun: false,
          createCroProperty: true,
        });

        const croItem = (items: typeof real.items) => items.find((item) => item.kind === 'CRO view property');
        expect(croItem(dry.items)?.status).toBe('would create');
        expect(namesAfterDryRun).not.toContain('deal_source');
        expect(croItem(real.items)?.status).toBe('created');
        expect(croItem(again.items)?.status).toBe('exists');
        expect(real.items.filter((item) => item.status === 'missing')).toEqual([]);
        const property = (await (
          await fetch(`${portal.sandbox.url}/crm/v3/properties/deals/deal_source`, {
            headers: { authorization: `Bearer ${portal.sandbox.accessToken}` },
          })
        ).json()) as { type: string; fieldType: string; label: string; options: { value: string }[] };
        expect(property).toMatchObject({ type: 'enumeration', fieldType: 'select', label: 'Deal source' });
        expect(property.options.map((option) => option.value)).toEqual(['Partner', 'Partner referral']);
      } finally {
        await portal.stop();
      }
    });
  });
});
