import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryingCalls } from '#adapters/partner-central/retrying-calls.ts';
import {
  type RunningPartnerCentralStandIn,
  startPartnerCentralStandIn,
} from '#local/partner-central/index.ts';
import { coSellDefaults } from '#test/support/co-sell.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest } from './workflow-harness.ts';

/**
 * "Share with AWS co-sell" in the deployed definition on the local runner: the steps handler's
 * real Partner Central SDK client talks to the stand-in; the policy shares AWS-marketplace
 * registrations and submits them to AWS.
 */

let standIn: RunningPartnerCentralStandIn;
let harness: WorkflowUnderTest;

beforeAll(async () => {
  standIn = await startPartnerCentralStandIn();
  harness = await startWorkflowUnderTest({
    policy: {
      coSell: {
        enabled: true,
        fundingCampaigns: {
          'cmp-aws-q1': { name: 'Q1 migration webinars', awsFundingUsed: 'Yes', channels: ['Virtual Event'] },
        },
      },
    },
    partnerCentral: {
      endpoint: standIn.url,
      defaults: coSellDefaults,
      // One attempt per call: a fault at Partner Central fails the step, so the workflow's retry runs.
      calls: new RetryingCalls({ sleep: async () => undefined, policy: { maxAttempts: 1 } }),
    },
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await standIn?.stop();
});

/** The stand-in's opportunities created for a registration. */
const opportunitiesOf = (registrationId: string) =>
  standIn.catalogs
    .all()
    .filter((stored) => stored.opportunity.PartnerOpportunityIdentifier === registrationId);

const answered = (operation: string, status: number) =>
  standIn.exchanges.filter((exchange) => exchange.operation === operation && exchange.status === status);

describe('an approved registration on the AWS marketplace', () => {
  it('becomes one ACE opportunity submitted to AWS once, even when the step is retried, recorded on the deal', async () => {
    const submissionsBefore = answered('StartEngagementFromOpportunityTask', 200).length;
    // The first submission is throttled: the step fails after the create and runs again.
    standIn.throttleNext(1, 'StartEngagementFromOpportunityTask');
    const registrationId = await harness.submit({
      customer_domain: 'cosell-contoso.com',
      estimated_amount: '12000',
      cloud_marketplace: 'aws',
      campaign_id: 'cmp-aws-q1',
    });

    const visited = harness.statesVisited(registrationId);
    expect(visited.slice(-3)).toEqual([
      'Share with AWS co-sell',
      'Tell partner it is approved',
      'Wait until expiry warning',
    ]);
    const created = opportunitiesOf(registrationId);
    expect(created).toHaveLength(1);
    const opportunity = created[0]?.opportunity ?? {};
    expect(opportunity).toMatchObject({
      Catalog: 'Sandbox',
      LifeCycle: { ReviewStatus: 'Submitted', Stage: 'Prospect' },
      Marketing: {
        AwsFundingUsed: 'Yes',
        CampaignName: 'Q1 migration webinars',
        Channels: ['Virtual Event'],
      },
    });
    // The step ran twice: both creates answered the same opportunity, one submission was made.
    const creates = answered('CreateOpportunity', 200).filter(
      (exchange) => exchange.request.PartnerOpportunityIdentifier === registrationId,
    );
    expect(creates.map((exchange) => exchange.response.Id)).toEqual([opportunity.Id, opportunity.Id]);
    expect(answered('StartEngagementFromOpportunityTask', 429)).toHaveLength(1);
    expect(answered('StartEngagementFromOpportunityTask', 200).length - submissionsBefore).toBe(1);

    const dealId = (await harness.registration(registrationId)).progress?.dealId ?? '';
    const chain = await harness.ledgerChain(dealId);
    expect(chain.map((entry) => entry.type)).toEqual([
      'OpportunityCreated',
      'RegistrationApproved',
      'PartnerAttached',
      'CoSellShared',
    ]);
    expect(chain[3]).toMatchObject({
      registrationId,
      aceOpportunityId: opportunity.Id,
      catalog: 'Sandbox',
      submittedToAws: true,
    });
  });

  it('is approved and attributed as usual when Partner Central keeps failing', async () => {
    standIn.failNext(50, 'CreateOpportunity');
    const registrationId = await harness.submit({
      customer_domain: 'cosell-outage.com',
      estimated_amount: '9000',
      cloud_marketplace: 'aws',
    });

    const record = await harness.registration(registrationId);
    expect(record.progress?.status).toBe('approved');
    expect(harness.statesVisited(registrationId).slice(-2)).toEqual([
      'Tell partner it is approved',
      'Wait until expiry warning',
    ]);
    const chain = await harness.ledgerChain(record.progress?.dealId ?? '');
    expect(chain.map((entry) => entry.type)).toEqual([
      'OpportunityCreated',
      'RegistrationApproved',
      'PartnerAttached',
    ]);
    expect(opportunitiesOf(registrationId)).toEqual([]);
    const attempts = answered('CreateOpportunity', 500).length;
    console.log(`co-sell outage: CreateOpportunity failed ${attempts} times before the step was caught`);
    expect(attempts).toBeGreaterThan(1);
  });
});

describe('an approved registration on no cloud marketplace', () => {
  it('is not shared with AWS', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'cosell-direct.com',
      estimated_amount: '12000',
      cloud_marketplace: 'none',
    });

    expect((await harness.registration(registrationId)).progress?.status).toBe('approved');
    expect(harness.statesVisited(registrationId)).toContain('Share with AWS co-sell');
    expect(opportunitiesOf(registrationId)).toEqual([]);
    const dealId = (await harness.registration(registrationId)).progress?.dealId ?? '';
    expect((await harness.ledgerChain(dealId)).map((entry) => entry.type)).not.toContain('CoSellShared');
  });
});
