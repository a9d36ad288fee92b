import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  HubSpotDailyLimitError,
  HubSpotRateLimitError,
  HubSpotUnavailableError,
} from '#adapters/hubspot/errors.ts';
import { setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';
import { recordsOf, type SandboxUnderTest, sandboxAdmin, startSandboxUnderTest } from './sandbox.ts';

interface SandboxStats {
  apiRequests: number;
  rateLimited: number;
  tooManyRequests: number;
  faultsInjected: number;
}

const seed = {
  companies: [
    { id: '1001', properties: { name: 'Cloudwise Partners', domain: 'cloudwise.io', type: 'PARTNER' } },
  ],
  deals: Array.from({ length: 5 }, (_, index) => ({
    id: String(2001 + index),
    properties: { dealname: `Deal ${index}` },
  })),
};
const dealIds = seed.deals.map((deal) => deal.id);

let under: SandboxUnderTest;
/** Waits the gateway asked for; the test sleeps 5 ms instead so retries stay fast. */
const waits: number[] = [];

async function stats(url = under.sandbox.url): Promise<SandboxStats> {
  return ((await sandboxAdmin(url, '/_sandbox/state')) as { stats: SandboxStats }).stats;
}

async function inject(fault: Record<string, unknown>): Promise<void> {
  await under.control('/_sandbox/faults', { body: fault });
}

/**
 * A sandbox whose client gives up on an attempt after 300 ms, with the portal set up: HubSpot may
 * carry out a request the client no longer waits for.
 */
async function withImpatientClient(
  baseDelayMs: number,
  test: (impatient: SandboxUnderTest) => Promise<void>,
): Promise<void> {
  const impatient = await startSandboxUnderTest(
    { seed },
    { retry: { maxAttempts: 4, attemptTimeoutMs: 300, baseDelayMs } },
  );
  try {
    await setupHubSpotPortal(impatient.admin, { dryRun: false });
    await test(impatient);
  } finally {
    await impatient.stop();
  }
}

beforeAll(async () => {
  under = await startSandboxUnderTest(
    { seed },
    {
      retry: { maxAttempts: 4 },
      sleep: async (ms) => {
        waits.push(ms);
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    },
  );
  await setupHubSpotPortal(under.admin, { dryRun: false });
});

afterEach(async () => {
  waits.length = 0;
  await under.control('/_sandbox/faults', { method: 'DELETE' });
});

afterAll(async () => {
  await under?.stop();
});

describe('HubSpot adapter resilience', () => {
  it('rides out ten-secondly 429s within the retry budget', async () => {
    await inject({ path: '/crm/v3/objects/deals/batch/read', status: 429, times: 2 });
    const before = await stats();

    const { deals } = await under.adapter.batchReadDeals(dealIds);

    const after = await stats();
    expect(deals).toHaveLength(5);
    expect(after.tooManyRequests - before.tooManyRequests).toBe(2);
    expect(waits).toHaveLength(2);
  });

  it('fails at once with a daily-limit error when HubSpot names the DAILY policy', async () => {
    await inject({ path: '/crm/v3/objects/deals/batch/read', status: 429, policyName: 'DAILY', times: 3 });

    const attempt = under.adapter.batchReadDeals(dealIds);

    await expect(attempt).rejects.toBeInstanceOf(HubSpotDailyLimitError);
    await expect(attempt).rejects.toThrow(
      /batch-read deals: the HubSpot portal's daily API limit is used up/,
    );
    expect(waits).toHaveLength(0);
  });

  it('gives up with a rate-limit error when 429s outlast the retry budget', async () => {
    await inject({ path: '/crm/v3/objects/deals/batch/read', status: 429, times: 10 });

    await expect(under.adapter.batchReadDeals(dealIds)).rejects.toBeInstanceOf(HubSpotRateLimitError);
    expect(waits).toHaveLength(3);
  });

  it('retries 5xx on a create and still writes the deal exactly once', async () => {
    await inject({ path: '^/crm/v3/objects/deals$', method: 'POST', status: 502, times: 2 });

    const made = await under.adapter.createOrLinkDeal({
      registrationId: 'reg-5xx',
      name: 'Globex – retried',
    });

    const deals = await recordsOf(under.sandbox.url, 'deals');
    expect(made.created).toBe(true);
    expect(deals.filter((deal) => deal.properties.dealreg_registration_id === 'reg-5xx')).toHaveLength(1);
  });

  it('names HubSpot as unavailable when 5xx persist, and has written nothing', async () => {
    await inject({ path: '^/crm/v3/objects/deals$', method: 'POST', status: 503, times: 10 });

    const attempt = under.adapter.createOrLinkDeal({ registrationId: 'reg-down', name: 'Globex – never' });

    await expect(attempt).rejects.toBeInstanceOf(HubSpotUnavailableError);
    await expect(attempt).rejects.toThrow(/create deal: HubSpot answered 503 after 4 attempts/);
    const deals = await recordsOf(under.sandbox.url, 'deals');
    expect(deals.filter((deal) => deal.properties.dealreg_registration_id === 'reg-down')).toHaveLength(0);
  });

  it('gives up on an attempt that does not answer in time, retries, and still writes the deal once', async () => {
    await withImpatientClient(10, async (impatient) => {
      // The first create is answered (and carried out) only after the client gave up on it.
      await sandboxAdmin(impatient.sandbox.url, '/_sandbox/faults', {
        body: { path: '^/crm/v3/objects/deals$', method: 'POST', latencyMs: 700, times: 1 },
      });

      const made = await impatient.adapter.createOrLinkDeal({
        registrationId: 'reg-slow',
        name: 'Globex – slow',
      });
      await new Promise((resolve) => setTimeout(resolve, 800));

      const deals = await recordsOf(impatient.sandbox.url, 'deals');
      const written = deals.filter((deal) => deal.properties.dealreg_registration_id === 'reg-slow');
      expect(written).toHaveLength(1);
      expect(written[0]?.id).toBe(made.dealId);
      expect(impatient.connection.gateway.stats.serverErrors).toBeGreaterThanOrEqual(1);
    });
  });

  it('makes one customer company when a slow create is given up on and retried, and finds it again on a repeated step', async () => {
    await withImpatientClient(10, async (impatient) => {
      // HubSpot carries out the first create only after the client gave up on it.
      await sandboxAdmin(impatient.sandbox.url, '/_sandbox/faults', {
        body: { path: '^/crm/v3/objects/companies$', method: 'POST', latencyMs: 700, times: 1 },
      });
      const customer = { domain: 'Initech.example', name: 'Initech' };

      const made = await impatient.adapter.findOrCreateCustomerCompany(customer);
      await new Promise((resolve) => setTimeout(resolve, 800));
      // The step runs again (Step Functions retried it): the company is read by its key, not
      // searched for, so a search index that has not caught up cannot make a second one.
      const again = await impatient.adapter.findOrCreateCustomerCompany(customer);

      const companies = (await recordsOf(impatient.sandbox.url, 'companies')).filter(
        (company) => company.properties.domain === 'initech.example',
      );
      expect(companies).toHaveLength(1);
      expect(companies[0]?.id).toBe(made.companyId);
      expect(companies[0]?.properties.dealreg_customer_key).toBe('initech.example');
      expect(again).toEqual({ companyId: made.companyId, created: false });
    });
  });

  it('finds the deal a given-up create made when the retry meets its unique value (HubSpot answers 400)', async () => {
    // The first create is carried out after 500 ms, long after the client gave up at 300 ms but
    // before the retry (backoff ≥ 500 ms): the retry meets the registration id already taken.
    await withImpatientClient(1_000, async (impatient) => {
      await sandboxAdmin(impatient.sandbox.url, '/_sandbox/faults', {
        body: { path: '^/crm/v3/objects/deals$', method: 'POST', latencyMs: 500, times: 1 },
      });

      const made = await impatient.adapter.createOrLinkDeal({
        registrationId: 'reg-lost',
        name: 'Globex – lost answer',
      });

      const deals = (await recordsOf(impatient.sandbox.url, 'deals')).filter(
        (deal) => deal.properties.dealreg_registration_id === 'reg-lost',
      );
      expect(deals).toHaveLength(1);
      expect(made).toEqual({ dealId: deals[0]?.id, created: false });
    });
  });

  it('waits out slow answers', async () => {
    await inject({ path: '/crm/v3/objects/companies/search', latencyMs: 400, times: 1 });
    const began = performance.now();

    const partner = await under.adapter.findPartnerByDomain('cloudwise.io');

    expect(partner?.id).toBe('1001');
    expect(performance.now() - began).toBeGreaterThanOrEqual(390);
  });
});

describe('HubSpot adapter under the portal rate limit', () => {
  it('stays under a rolling limit and the search limit without provoking a single 429', async () => {
    const limited = await startSandboxUnderTest(
      { seed, rateLimit: { requestsPerWindow: 10, windowMs: 1_000, searchPerSecond: 3 } },
      { limits: { requestsPerWindow: 10, windowMs: 1_000, searchPerSecond: 3 } },
    );
    try {
      const began = performance.now();

      const reads = Array.from({ length: 25 }, () => limited.adapter.batchReadDeals(dealIds));
      const searches = Array.from({ length: 7 }, () => limited.adapter.findPartnerByDomain('cloudwise.io'));
      const answers = await Promise.all([...reads, ...searches]);

      const elapsed = performance.now() - began;
      const after = await stats(limited.sandbox.url);
      expect(answers).toHaveLength(32);
      expect(after.tooManyRequests).toBe(0);
      // 32 requests at 10 per rolling second need at least 3 s.
      expect(elapsed).toBeGreaterThanOrEqual(3_000);
      expect(limited.connection.gateway.stats.rateLimited).toBe(0);
    } finally {
      await limited.stop();
    }
  });

  it('recovers when another client spends the budget and HubSpot answers 429', async () => {
    const crowded = await startSandboxUnderTest(
      { seed, rateLimit: { requestsPerWindow: 5, windowMs: 1_000, searchPerSecond: 5 } },
      { limits: { requestsPerWindow: 20, windowMs: 1_000 }, retry: { maxAttempts: 6 } },
    );
    try {
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => crowded.adapter.batchReadDeals(dealIds)),
      );

      const after = await stats(crowded.sandbox.url);
      expect(answers.every((answer) => answer.deals.length === 5)).toBe(true);
      expect(after.rateLimited).toBeGreaterThan(0);
    } finally {
      await crowded.stop();
    }
  });
});
