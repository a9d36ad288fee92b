import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordsOf } from '#test/integration/hubspot/sandbox.ts';
import { burstFaults, repeated, runBurst } from '#test/support/burst.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';

/**
 * A quarter-end burst against the whole local stack (loopback only): 1,000 webhook deliveries,
 * 30% of them repeats, at concurrency 50, while the HubSpot sandbox answers 429s, 5xx and slow
 * responses. Whatever fails is redriven by the backfill, as the deployed sweeper does. At the end
 * every distinct registration is decided or waiting on an approver, no execution has failed, and
 * HubSpot and the mailbox hold nothing twice.
 *
 * `CHAOS_SUBMISSIONS` sets the burst's size (default 1,000).
 */
const deliveries = Number(process.env.CHAOS_SUBMISSIONS ?? 1_000);

let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await startLocalStackProcess(['--empty']);
}, 120_000);

afterAll(async () => {
  if (stack !== undefined && stack.child.exitCode === null) await stack.interrupt();
});

describe(`a burst of ${deliveries} deliveries, 30% repeats, while HubSpot throttles and fails`, () => {
  it(
    'ends with every registration decided or waiting on an approver, no failed execution, and nothing written or mailed twice',
    async () => {
      const burst = await runBurst(stack, { deliveries, faults: burstFaults });
      console.log(
        `${deliveries} deliveries, ${burst.distinct} distinct: intake ${burst.intakeMs} ms, all settled ` +
          `${burst.settledMs} ms; ${burst.failedBeforeRedrive} executions failed before ${burst.redriveRounds} ` +
          `redrive rounds; HubSpot ${burst.hubspot.apiRequests} requests, ${burst.hubspot.searchRequests} searches, ` +
          `${burst.hubspot.tooManyRequests} 429s`,
      );

      // Nothing a partner submitted is refused or lost: first deliveries 202, repeats 200.
      expect(burst.statuses.filter((status) => status >= 300)).toEqual([]);
      expect(burst.statuses.filter((status) => status === 202)).toHaveLength(burst.distinct);

      expect(burst.executions).toHaveLength(burst.distinct);
      expect(burst.executions.filter((execution) => execution.status === 'FAILED')).toEqual([]);
      expect(burst.unsettled).toEqual([]);

      // HubSpot holds one customer company per customer and one deal per registration.
      const companies = await recordsOf(stack.description.hubspot.url, 'companies');
      expect(repeated(companies.map((company) => company.properties.domain))).toEqual([]);
      const deals = await recordsOf(stack.description.hubspot.url, 'deals');
      expect(repeated(deals.map((deal) => deal.properties.dealreg_registration_id))).toEqual([]);
      expect(deals.length).toBeGreaterThan(0);

      // Each email went out once: no two with the same recipients and subject.
      const mail = (await (await fetch(`${stack.description.api}/_local/mail`)).json()) as {
        to: string[];
        subject: string;
      }[];
      expect(repeated(mail.map((message) => `${message.to.join(',')} ${message.subject}`))).toEqual([]);
      expect(mail.length).toBeGreaterThanOrEqual(burst.distinct);
    },
    60 * 60_000,
  );
});
