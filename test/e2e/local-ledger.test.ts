import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDigestDirectory } from '#adapters/ledger/file-digest-store.ts';
import { localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import { dealreg } from '#test/support/dealreg-cli.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';

let stack: LocalStackProcess;

/**
 * A HubSpot CRM call to the sandbox, as the portal's private app would make it: a 429 (the demo's
 * workflow may be using the search budget) is retried after the Retry-After HubSpot sends.
 */
async function hubspot(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const call = () =>
    fetch(`${stack.description.hubspot.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.description.hubspot.accessToken}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let response = await call();
  for (let attempt = 1; response.status === 429 && attempt <= 5; attempt += 1) {
    const retryAfterSeconds = Number(response.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, retryAfterSeconds) * 1000));
    response = await call();
  }
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

const flushWebhooks = () =>
  fetch(`${stack.description.hubspot.url}/_sandbox/webhooks/flush`, { method: 'POST', body: '{}' });

beforeAll(async () => {
  stack = await startLocalStackProcess(['--digest-every', 'PT2S', '--demo', 'week']);
}, 120_000);

afterAll(async () => {
  await stack.interrupt();
});

describe('HubSpot deal changes on the local stack', () => {
  it('names the policy it runs in local.json, so the CLI checks and imports under the same one', async () => {
    expect(stack.description.policyFile).toBe(
      join(import.meta.dirname, '..', '..', 'policy', 'demo-policy.json'),
    );
  });

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
    // Every entry carries the MAC of the stack's ledger key, kept beside the digests.
    const { entries } = JSON.parse(shown.stdout) as { entries: { mac?: string }[] };
    expect(entries.every((entry) => /^[0-9a-f]{64}$/.test(entry.mac ?? ''))).toBe(true);
    expect((await stat(localLedgerKeyPath(stack.dataDir))).mode & 0o777).toBe(0o600);

    const verified = await dealreg(['ledger', 'verify', '--format', 'json', '--data-dir', stack.dataDir]);
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ result: 'intact', digests: 'authenticated' });
  }, 60_000);

  it('writes ledger digests on a schedule, which verify checks the ledger against', async () => {
    const digestDir = localDigestDirectory(stack.dataDir);
    const digests = async () =>
      (await readdir(digestDir).catch(() => [])).filter((name) => name.endsWith('.json'));
    const first = (await digests()).length;
    await expect.poll(digests, { timeout: 20_000, interval: 500 }).not.toHaveLength(first);

    const verified = await dealreg(['ledger', 'verify', '--data-dir', stack.dataDir]);
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);
    const [, checked] = /covered by (\d+) signed digests?;/.exec(verified.stdout) ?? [];
    expect(Number(checked)).toBeGreaterThan(first);
  }, 60_000);
});

describe('dealreg local settings', () => {
  it('refuses a digest interval that is not an ISO 8601 duration, naming the option', async () => {
    const refused = await dealreg(['local', '--empty', '--digest-every', 'hourly']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--digest-every must be an ISO 8601 duration .* got "hourly"/);
  });

  it('names a --port another program holds: exit 2, no local.json written', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    const dataDir = await mkdtemp(join(tmpdir(), 'dealreg-port-'));
    try {
      const refused = await dealreg(['local', '--empty', '--port', String(port), '--data-dir', dataDir]);

      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(
        `dealreg: --port ${port} is already in use: choose another --port, or leave it out to take a free port`,
      );
      await expect(readFile(join(dataDir, 'local.json'))).rejects.toThrow(/ENOENT/);
    } finally {
      holder.close();
    }
  }, 90_000);
});
