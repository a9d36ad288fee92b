import { describe, expect, it } from 'vitest';
import { type CoSellOverview, coSellOfRegistration } from '#use-cases/co-sell-overview.ts';

const asOf = '2026-11-30T12:00:00.000Z';

function overview(partial: Pick<CoSellOverview, 'notShared' | 'approved'>): CoSellOverview {
  return { asOf, knownAt: asOf, shared: [], ...partial };
}

describe('coSellOfRegistration', () => {
  it('names the reason the approval recorded when the policy did not select the registration', () => {
    const found = coSellOfRegistration(
      overview({
        approved: new Map([
          [
            'DR-A',
            {
              dealId: '101',
              coSell: { share: false, reason: 'the amount (USD 900.00) is below coSell.minAmountUsd (5000)' },
            },
          ],
        ]),
        notShared: [
          {
            registrationId: 'DR-A',
            dealId: '101',
            dealName: 'Contoso',
            approvedAt: asOf,
            selected: false,
            reason: 'the amount (USD 900.00) is below coSell.minAmountUsd (5000)',
          },
        ],
      }),
      'DR-A',
    );
    expect(found).toEqual({
      shared: undefined,
      reason: `registration DR-A (HubSpot deal 101) was approved but not shared with AWS as of ${asOf}: the amount (USD 900.00) is below coSell.minAmountUsd (5000)`,
    });
  });

  it('says a registration the policy selected has no sharing recorded, with the selection reason', () => {
    const reason = 'the policy shares registrations for the aws marketplace approved as resell (coSell)';
    const found = coSellOfRegistration(
      overview({
        approved: new Map([['DR-B', { dealId: '202', coSell: { share: true, reason } }]]),
        notShared: [
          {
            registrationId: 'DR-B',
            dealId: '202',
            dealName: undefined,
            approvedAt: asOf,
            selected: true,
            reason,
          },
        ],
      }),
      'DR-B',
    );
    expect(found.shared).toBeUndefined();
    expect('reason' in found ? found.reason : '').toBe(
      `registration DR-B (HubSpot deal 202) was approved but not shared with AWS as of ${asOf}: the policy selected it (${reason}), but the ledger records no sharing: Partner Central refused the opportunity or it is still to be shared (the registration workflow logs which)`,
    );
  });

  it('says when the approval recorded no decision, and when the ledger knows no such approval', () => {
    const none = overview({
      approved: new Map([['DR-C', { dealId: '303', coSell: undefined }]]),
      notShared: [],
    });
    expect(coSellOfRegistration(none, 'DR-C')).toMatchObject({
      reason: expect.stringContaining(
        'was approved but not shared with AWS as of 2026-11-30T12:00:00.000Z: its approval recorded no co-sell decision',
      ),
    });
    expect(coSellOfRegistration(none, 'DR-D')).toMatchObject({
      reason: expect.stringContaining('the ledger has no approved registration DR-D'),
    });
  });
});
