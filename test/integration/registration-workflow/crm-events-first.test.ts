import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectOpportunity } from '#domain/ledger/projection.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowPeople } from './workflow-harness.ts';

/*
 * HubSpot's webhooks reach the ledger on their own schedule: the association "Register deal in
 * HubSpot" makes between the partner and the deal, or a rep's earlier label of the partner on it,
 * can be recorded on the deal's chain (by the CRM events function) before the approval's own
 * entries. The approval still records the opportunity as HubSpot has it, and the partner's
 * attribution still names the registration (and so its campaign).
 */

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('an approval on a deal whose chain the CRM events opened first', () => {
  it('records the linked deal and attaches the partner with the registration', async () => {
    const registrationId = await harness.submit({
      customer_company_name: 'Globex Corporation',
      customer_domain: 'globex.com',
      estimated_amount: '15000',
      campaign_id: 'campaign-q4-webinar',
    });
    expect((await harness.registration(registrationId)).progress?.status).toBe('in-review');

    // What the CRM events function records for HubSpot's association event of partner 201 on
    // deal 401 with the "influenced" label (crm-event-entries.ts).
    const { ledger, ledgerKey } = harness.stores;
    await appendEntry(
      { store: ledger, ledgerKey, now: () => harness.clock.now() },
      {
        type: 'PartnerAttached',
        opportunityId: '401',
        effectiveAt: harness.clock.now().toISOString(),
        recordedBy: 'crm-events',
        sourceEventId: 'association:401:201:influenced',
        partnerId: '201',
        customer: { domain: 'globex.com', name: 'Globex Corporation' },
        relationshipType: 'influenced',
      },
    );

    expect((await harness.decide(workflowPeople.channelManager, 'approve')).status).toBe(200);
    expect((await harness.registration(registrationId)).progress).toMatchObject({
      status: 'approved',
      dealId: '401',
    });

    const chain = await harness.ledgerChain('401');
    expect(chain.filter((entry) => entry.type === 'OpportunityCreated')).toEqual([
      expect.objectContaining({
        dealName: 'Globex – data platform',
        stage: 'presentationscheduled',
        sourceEventId: `registration:${registrationId}:opportunity-linked`,
      }),
    ]);
    const state = projectOpportunity('401', chain, {
      asOf: '9999-12-31T23:59:59.999Z',
      knownAt: '9999-12-31T23:59:59.999Z',
    });
    expect(state.dealName).toBe('Globex – data platform');
    expect(state.attributions.filter((attribution) => attribution.active)).toEqual([
      expect.objectContaining({
        partnerId: '201',
        relationshipType: 'influenced',
        registrationId,
        campaignId: 'campaign-q4-webinar',
      }),
    ]);
  });
});
