import { describe, expect, it } from 'vitest';
import { freezeMoney } from '#domain/money.ts';
import { slaFigures } from '#rendering/qbr-headline-figures.ts';
import {
  approval,
  chain,
  created,
  decision,
  investment,
  policy,
  record,
  report,
  sla,
  won,
} from './qbr-fixtures.ts';

/**
 * Quarters recomputed by hand, as a CRO or a cloud provider's MDF team would check them: each
 * expected figure is worked out in the comment above it from the entries alone.
 */
describe('pre-QBR figures recomputed by hand', () => {
  it('does not count as won a deal moved out of closed-won back to an open stage', () => {
    // O1 won 100,000 on 1 Nov, then moved back to "contractsent" on 10 Nov (HubSpot: the deal is
    // open again). O2 won 40,000 and stays won.
    //   closed-won in Q4 = 40,000 (O2 only); partner-sourced = 40,000; funnel closed-won 1 of 2
    const reopened = chain('O1', [
      created('2026-10-01T00:00:00.000Z', 'Reopened', 100_000),
      ...approval({
        registrationId: 'R1',
        partnerId: 'P1',
        relationshipType: 'sourced',
        at: '2026-10-01T00:00:00.000Z',
      }),
      ...won('2026-11-01T00:00:00.000Z', 100_000),
      {
        type: 'StageChanged',
        effectiveAt: '2026-11-10T00:00:00.000Z',
        recordedBy: 'crm-events',
        stage: 'contractsent',
      },
    ]);
    const stillWon = chain('O2', [
      created('2026-10-01T00:00:00.000Z', 'Still won', 40_000),
      ...approval({
        registrationId: 'R2',
        partnerId: 'P1',
        relationshipType: 'sourced',
        at: '2026-10-01T00:00:00.000Z',
      }),
      ...won('2026-11-01T00:00:00.000Z', 40_000),
    ]);
    const computed = report({ chains: [reopened, stillWon] });
    expect(computed.scorecard.closedWonAmount).toBe(40_000);
    expect(computed.attribution.partnerSourcedRevenue).toBe(40_000);
    expect([
      computed.funnel.opportunities,
      computed.funnel.closedWon,
      computed.funnel.closedWonAmount,
    ]).toEqual([2, 1, 40_000]);
  });

  it('counts a deal reopened and won again at its second close', () => {
    // O1 won 1 Nov for 100,000, reopened 10 Nov, won again 20 Nov for 120,000 → 120,000 in Q4
    const computed = report({
      chains: [
        chain('O1', [
          created('2026-10-01T00:00:00.000Z', 'Twice', 100_000),
          ...won('2026-11-01T00:00:00.000Z', 100_000),
          {
            type: 'StageChanged',
            effectiveAt: '2026-11-10T00:00:00.000Z',
            recordedBy: 'crm-events',
            stage: 'contractsent',
          },
          ...won('2026-11-20T00:00:00.000Z', 120_000),
        ]),
      ],
    });
    expect(computed.scorecard.closedWonAmount).toBe(120_000);
  });

  it('converts an amount changed after closed-won at the rate frozen at close', () => {
    // O3 won 1 Nov for EUR 10,000.00 at 1.10 USD/EUR = 11,000 USD. On 1 Dec the amount is
    // corrected to EUR 20,000.00 while the configured rate is 1.20. A closed deal keeps the rate
    // of its close date (HubSpot, "Add and edit your account currencies"; Dealreg freezes
    // closed-won amounts at close): 20,000 × 1.10 = 22,000 USD, not 20,000 × 1.20 = 24,000.
    const computed = report({
      chains: [
        chain('O3', [
          created('2026-10-01T00:00:00.000Z', 'Euro deal', 0),
          {
            type: 'StageChanged',
            effectiveAt: '2026-11-01T00:00:00.000Z',
            recordedBy: 'crm-events',
            stage: 'closedwon',
          },
          {
            type: 'ClosedWon',
            effectiveAt: '2026-11-01T00:00:00.000Z',
            recordedBy: 'crm-events',
            amount: freezeMoney(1_000_000, 'EUR', '1.10'),
          },
          {
            type: 'AmountChanged',
            effectiveAt: '2026-12-01T00:00:00.000Z',
            recordedBy: 'crm-events',
            amount: freezeMoney(2_000_000, 'EUR', '1.20'),
          },
        ]),
      ],
    });
    expect(computed.scorecard.closedWonAmount).toBe(22_000);
  });

  it('attributes a deal of two campaigns once across the ROI table, half to each', () => {
    // O2 (60,000, won in Q4) came through P2's registration in campaign C2 and P3's in C3. C2 has
    // MDF 10,000 and C3 events 10,000. The deal's 60,000 is split between its two campaigns:
    //   MDF 30,000 → ROI (30,000 − 10,000) / 10,000 = 2; events 30,000 → ROI 2
    //   total attributed 60,000 = the deal, not 120,000.
    const computed = report({
      chains: [
        chain('O2', [
          created('2026-10-01T00:00:00.000Z', 'Two campaigns', 60_000),
          ...approval({
            registrationId: 'R2',
            partnerId: 'P2',
            relationshipType: 'sourced',
            at: '2026-10-02T00:00:00.000Z',
            campaignId: 'C2',
          }),
          ...approval({
            registrationId: 'R3',
            partnerId: 'P3',
            relationshipType: 'influenced',
            at: '2026-10-03T00:00:00.000Z',
            campaignId: 'C3',
          }),
          ...won('2026-11-01T00:00:00.000Z', 60_000),
        ]),
        investment('C2', 'I2', 'MDF', 10_000, '2026-10-05T00:00:00.000Z'),
        investment('C3', 'I3', 'events', 10_000, '2026-10-05T00:00:00.000Z'),
      ],
    });
    expect(
      computed.roiByInvestmentType.map((row) => [row.investmentType, row.closedWonRevenue, row.roi]),
    ).toEqual([
      ['MDF', 30_000, 2],
      ['events', 30_000, 2],
    ]);
  });

  it('measures SLA compliance in business hours that skip the calendar’s holidays', () => {
    // New York, 09:00–17:00 Monday to Friday, Thanksgiving Thursday and Friday off.
    //   A: asked Wed 25 Nov 16:00, decided Mon 30 Nov 10:00 by the approver, deadline Mon 16:00
    //      → 1 h (Wed) + 1 h (Mon) = 2 business hours, within SLA
    //   B: asked Tue 1 Dec 09:00, approved by the policy default Fri 4 Dec 09:00 → 24 h, breach
    //   D: asked Mon 7 Dec 09:00, deadline Tue 09:00, decided Wed 09:00 → 16 h, breach
    //   C: asked Thu 10 Dec, deadline Mon 14 Dec 09:00, still waiting at asOf 15 Dec → past deadline
    //   E: decided in Q3 → not counted
    // compliance: 1 within SLA (A) of 3 decisions + 1 waiting past its deadline (C) = 1/4 = 0.25 — C
    // is a breach like D, or an approver who never decides would score better than one who is late;
    // median of 2, 16, 24 = 16 h; breaches B, D, C = 3
    const rec = (id: string, requested: string, deadline: string, decided?: string, extra = {}) =>
      record({
        registrationId: id,
        submittedAt: requested,
        partnerId: 'P1',
        progress: {
          status: decided === undefined ? 'in-review' : 'approved',
          sla: sla(requested, deadline, extra),
          ...(decided === undefined ? {} : { decision: decision('approve', decided) }),
        } as never,
      });
    const computed = report({
      policy: {
        ...policy.policy,
        calendar: {
          ...policy.policy.calendar,
          holidays: ['2026-11-26', '2026-11-27', '2026-12-24', '2026-12-25'],
        },
      },
      registrations: [
        rec('A', '2026-11-25T21:00:00.000Z', '2026-11-30T21:00:00.000Z', '2026-11-30T15:00:00.000Z'),
        rec('B', '2026-12-01T14:00:00.000Z', '2026-12-04T14:00:00.000Z', '2026-12-04T14:00:00.000Z', {
          defaulted: true,
        }),
        rec('C', '2026-12-10T14:00:00.000Z', '2026-12-14T14:00:00.000Z'),
        rec('D', '2026-12-07T14:00:00.000Z', '2026-12-08T14:00:00.000Z', '2026-12-09T14:00:00.000Z', {
          reminders: 1,
          escalations: 1,
        }),
        rec('E', '2026-09-07T14:00:00.000Z', '2026-09-08T14:00:00.000Z', '2026-09-08T14:00:00.000Z'),
      ],
    });
    expect(computed.scorecard.slaCompliance).toBe(0.25);
    expect(slaFigures(computed).find((figure) => figure.key === 'sla-within')?.text).toBe(
      '1 of 4 (25.0%; 3 decided, 1 still waiting past the deadline)',
    );
    expect(computed.sla).toEqual({
      approvals: 4,
      decisions: 3,
      withinSla: 1,
      waiting: 1,
      waitingPastDeadline: 1,
      breaches: 3,
      reminders: 1,
      escalations: 1,
      defaulted: 1,
      medianHoursToDecision: 16,
    });
  });

  it('gives no ROI for an investment of zero and shares its campaign’s revenue evenly when nobody invested', () => {
    // C4 has two investments of 0 (SPIFF, events) and won O4 for 10,000: each gets 5,000, ROI none.
    const computed = report({
      chains: [
        chain('O4', [
          created('2026-10-01T00:00:00.000Z', 'Free', 10_000),
          ...approval({
            registrationId: 'R4',
            partnerId: 'P4',
            relationshipType: 'sourced',
            at: '2026-10-02T00:00:00.000Z',
            campaignId: 'C4',
          }),
          ...won('2026-11-01T00:00:00.000Z', 10_000),
        ]),
        investment('C4', 'I4a', 'SPIFF', 0, '2026-10-05T00:00:00.000Z'),
        investment('C4', 'I4b', 'events', 0, '2026-10-05T00:00:00.000Z'),
      ],
    });
    expect(
      computed.roiByInvestmentType.map((row) => [
        row.investmentType,
        row.invested,
        row.closedWonRevenue,
        row.roi,
      ]),
    ).toEqual([
      ['SPIFF', 0, 5_000, null],
      ['events', 0, 5_000, null],
    ]);
  });
});
