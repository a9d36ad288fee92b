import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createCoSellEventsHandler } from '#handlers/co-sell-events-handler.ts';
import { lambdaContext } from '#local/api-server.ts';

/**
 * What the events rule routes (source `aws.partnercentral-selling`, detail types `Opportunity …`
 * and `Engagement Invitation …`, "Amazon EventBridge events" in the Partner Central Selling API
 * guide): without referral settings, an engagement invitation is acknowledged (logged) without
 * asking Partner Central or the stores.
 */
function untouched(): never {
  throw new Error('an engagement invitation must not reach Partner Central or the stores');
}
const handler = createCoSellEventsHandler({
  book: { get: untouched } as never,
  ledger: {} as never,
  ledgerKey: {} as never,
  coSell: untouched,
  now: () => new Date('2026-12-01T00:00:00Z'),
  logger: new Logger({ serviceName: 'dealreg-co-sell-test', logLevel: 'ERROR' }),
});
const context = lambdaContext('dealreg-co-sell-events');

describe('the co-sell events handler', () => {
  it('acknowledges an engagement invitation without acting on it when referrals are not set up', async () => {
    const outcome = await handler(
      {
        id: 'a6c3e1b2-0000-4000-8000-000000000001',
        source: 'aws.partnercentral-selling',
        'detail-type': 'Engagement Invitation Created',
        detail: { catalog: 'Sandbox', engagementInvitation: { id: 'engi-0000000000001' } },
      },
      context,
    );
    expect(outcome).toBeUndefined();
  });

  it('refuses an event that is neither, naming what is wrong', async () => {
    await expect(
      handler(
        { id: 'x', source: 'aws.partnercentral-selling', 'detail-type': 'Something Else', detail: {} },
        context,
      ),
    ).rejects.toThrow(/not a Partner Central opportunity or engagement invitation event: .*detail-type/);
  });
});
