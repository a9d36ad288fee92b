import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dealreg } from '#test/support/dealreg-cli.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';

let stack: LocalStackProcess;

/** A HubSpot CRM call to the sandbox, as the portal's private app would make it. */
async function hubspot(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack.description.hubspot.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.description.hubspot.accessToken}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

const flushWebhooks = () =>
  fetch(`${stack.description.hubspot.url}/_sandbox/webhooks/flush`, { method: 'POST', body: '{}' });

beforeAll(async () => {
  stack = await startLocalStackProcess([]);
}, 120_000);

afterAll(async () => {
  await stack.interrupt();
});

describe('HubSpot deal changes on the local stack', () => {
  it('reach the attribution ledger through signed CRM events, and the ledger verifies', async () => {
    const found = await hubspot('POST', '/crm/v3/objects/companies/search', {
      filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: 'globex.com' }] }],
      properties: ['domain', 'name'],
    });
    const customerId = (found.results as { id: string }[])[0]?.id;
    expect(customerId).toBeDefined();
    const deal = await hubspot('POST', '/crm/v3/objects/deals', {
      properties: {
        dealname: 'Globex – platform',
        amount: '180000',
        pipeline: 'default',
        dealstage: 'qualifiedtobuy',
      },
      associations: [
        {
          to: { id: customerId },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 341 }],
        },
      ],
    });
    const dealId = String(deal.id);
    await flushWebhooks();
    await hubspot('PATCH', `/crm/v3/objects/deals/${dealId}`, { properties: { dealstage: 'closedwon' } });
    await flushWebhooks();

    const shown = await dealreg([
      'ledger',
      'show',
      '--opportunity',
      dealId,
      '--format',
      'json',
      '--data-dir',
      stack.dataDir,
    ]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('OpportunityCreated');
    expect(shown.stdout).toContain('ClosedWon');

    const verified = await dealreg(['ledger', 'verify', '--data-dir', stack.dataDir]);
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);
  }, 60_000);
});
