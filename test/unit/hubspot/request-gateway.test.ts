import { describe, expect, it } from 'vitest';
import {
  HubSpotAuthorizationError,
  HubSpotConfigurationError,
  HubSpotConflictError,
  HubSpotDailyLimitError,
  HubSpotRateLimitError,
  HubSpotUnavailableError,
} from '#adapters/hubspot/errors.ts';
import { HubSpotGateway } from '#adapters/hubspot/request-gateway.ts';

/** What `@hubspot/api-client` throws for a non-documented status: `ApiException {code, body, headers}`. */
function apiException(
  code: number,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  return Object.assign(new Error(`HTTP-Code: ${code}`), { code, body, headers });
}

function gateway(maxAttempts = 4) {
  const waits: number[] = [];
  const instance = new HubSpotGateway({
    retry: { maxAttempts },
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { instance, waits };
}

/** A call that fails with the given errors in turn, then answers `ok`. */
function failing(...errors: unknown[]) {
  let calls = 0;
  const call = async () => {
    const error = errors[calls];
    calls += 1;
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { call, calls: () => calls };
}

describe('HubSpot request gateway', () => {
  it('retries a ten-secondly 429 and succeeds', async () => {
    const { instance } = gateway();
    const request = failing(apiException(429, { policyName: 'TEN_SECONDLY_ROLLING' }));

    const answer = await instance.call('read deals', request.call);

    expect(answer).toBe('ok');
    expect(request.calls()).toBe(2);
    expect(instance.stats.rateLimited).toBe(1);
  });

  it('waits as long as Retry-After says', async () => {
    const { instance, waits } = gateway();
    const request = failing(apiException(429, { policyName: 'SECONDLY' }, { 'retry-after': '3' }));

    await instance.call('search deals', request.call);

    expect(waits).toEqual([3_000]);
  });

  it('stops at once with a daily-limit error when the DAILY policy answers 429', async () => {
    const { instance } = gateway();
    const request = failing(apiException(429, { policyName: 'DAILY', message: 'daily limit' }));

    const attempt = instance.call('read deals', request.call);

    await expect(attempt).rejects.toBeInstanceOf(HubSpotDailyLimitError);
    await expect(attempt).rejects.toThrow(/daily API limit/);
    expect(request.calls()).toBe(1);
  });

  it('gives up on 429 after the retry budget with a rate-limit error', async () => {
    const { instance } = gateway(3);
    const limited = apiException(429, { policyName: 'TEN_SECONDLY_ROLLING' });
    const request = failing(limited, limited, limited, limited);

    await expect(instance.call('read deals', request.call)).rejects.toBeInstanceOf(HubSpotRateLimitError);
    expect(request.calls()).toBe(3);
  });

  it('retries 5xx with growing backoff and names HubSpot as unavailable when they persist', async () => {
    const { instance, waits } = gateway(4);
    const down = apiException(502);
    const request = failing(down, down, down, down);

    const attempt = instance.call('read deals', request.call);

    await expect(attempt).rejects.toBeInstanceOf(HubSpotUnavailableError);
    await expect(attempt).rejects.toThrow(/HubSpot answered 502 after 4 attempts/);
    expect(waits).toHaveLength(3);
    expect(waits[2]).toBeGreaterThan(waits[0] ?? Number.POSITIVE_INFINITY);
  });

  it('does not repeat a create without a unique key after a 5xx, since it may have happened', async () => {
    const { instance } = gateway();
    const request = failing(apiException(500));

    await expect(instance.call('create label', request.call, { retryAmbiguous: false })).rejects.toThrow(
      /not retried: the write may have happened/,
    );
    expect(request.calls()).toBe(1);
  });

  it('repeats even such a create when the connection was refused (it never reached HubSpot)', async () => {
    const { instance } = gateway();
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      type: 'system',
    });
    const request = failing(refused);

    expect(await instance.call('create label', request.call, { retryAmbiguous: false })).toBe('ok');
  });

  it('turns 401 and 409 into named errors without retrying', async () => {
    const { instance } = gateway();
    const unauthorised = failing(
      apiException(401, { message: 'bad token', category: 'INVALID_AUTHENTICATION' }),
    );
    const conflict = failing(apiException(409, { message: 'exists' }));

    await expect(instance.call('read deals', unauthorised.call)).rejects.toBeInstanceOf(
      HubSpotAuthorizationError,
    );
    await expect(instance.call('create deal', conflict.call)).rejects.toBeInstanceOf(HubSpotConflictError);
    expect(unauthorised.calls() + conflict.calls()).toBe(2);
  });
});

describe('a process without a share of the search limit', () => {
  it('refuses to search, naming the setting, and still makes other calls', async () => {
    const instance = new HubSpotGateway({ limits: { searchPerSecond: 0 } });
    const search = failing();

    await expect(instance.call('find companies by domain', search.call, { kind: 'search' })).rejects.toThrow(
      new HubSpotConfigurationError(
        "find companies by domain: this process has no share of the portal's search limit (searchPerSecond is 0)",
      ),
    );
    expect(search.calls()).toBe(0);
    await expect(instance.call('read deal', failing().call)).resolves.toBe('ok');
  });
});

describe('a call inside a Lambda invocation with a deadline', () => {
  it('gives way with a retryable rate-limit error instead of queueing past the deadline', async () => {
    // One request per minute: the second call would wait ~60 s for its slot, but the invocation
    // must answer within 20.3 s and keeps 20 s back, so it may wait 0.3 s at most.
    const instance = new HubSpotGateway({
      limits: { requestsPerWindow: 1, windowMs: 60_000 },
      deadline: () => Date.now() + 20_300,
    });
    await instance.call('read deal 1', async () => 'first');

    const began = Date.now();
    const second = instance.call('read deal 2', async () => 'second', {});
    await expect(second).rejects.toBeInstanceOf(HubSpotRateLimitError);
    await expect(second).rejects.toThrow(/read deal 2: .*giving way/);
    expect(instance.stats.gaveWay).toBe(1);
    console.log(`gave way after ${Date.now() - began} ms (wait limit 300 ms)`);
  }, 30_000);

  it('gives way rather than sleep before a retry that would start past the deadline', async () => {
    const waits: number[] = [];
    const instance = new HubSpotGateway({
      retry: { maxAttempts: 6, reserveMs: 20_000 },
      sleep: async (ms) => {
        waits.push(ms);
      },
      // 20.5 s left: the first 5xx backoff (≤ 250 ms) fits, the 429's 10 s Retry-After does not.
      deadline: () => Date.now() + 20_500,
    });
    const request = failing(
      apiException(502),
      apiException(429, { policyName: 'TEN_SECONDLY_ROLLING' }, { 'retry-after': '10' }),
    );

    const call = instance.call('update deal 7', request.call);

    await expect(call).rejects.toBeInstanceOf(HubSpotRateLimitError);
    expect(request.calls()).toBe(2);
    expect(waits).toHaveLength(1);
  });

  it('waits as before when no invocation deadline is set (CLI, local tools)', async () => {
    const { instance, waits } = gateway();
    const request = failing(apiException(429, {}, { 'retry-after': '30' }));

    await expect(instance.call('read deals', request.call)).resolves.toBe('ok');
    expect(waits).toEqual([30_000]);
  });
});
