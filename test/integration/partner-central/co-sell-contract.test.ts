import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GetOpportunityCommand,
  type PartnerCentralSellingClient,
  UpdateOpportunityCommand,
} from '@aws-sdk/client-partnercentral-selling';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PartnerCentralCoSellOpportunities } from '#adapters/partner-central/co-sell-opportunities.ts';
import { partnerCentralClient } from '#adapters/partner-central/partner-central-client.ts';
import { RetryingCalls } from '#adapters/partner-central/retrying-calls.ts';
import type { CoSellOpportunityDraft } from '#domain/co-sell/co-sell-opportunity.ts';
import { coSellClientToken, coSellOpportunityFor } from '#domain/co-sell/opportunity-from-registration.ts';
import {
  type PartnerCentralEvent,
  type RunningPartnerCentralStandIn,
  startPartnerCentralStandIn,
} from '#local/partner-central/index.ts';
import { shapeProblems } from '#local/partner-central/service-model.ts';
import {
  CoSellAccessDeniedError,
  CoSellConflictError,
  CoSellOpportunityNotFoundError,
  CoSellThrottledError,
  CoSellUnavailableError,
  CoSellValidationError,
} from '#ports/partner-central-errors.ts';
import {
  awsFundedCampaign,
  coSellDefaults,
  customerCompany,
  storedRegistration,
} from '#test/support/co-sell.ts';
import { exchangeProblems } from '#test/support/partner-central-contract.ts';

/**
 * The real SDK client, through the adapter, against the Partner Central stand-in: every call the
 * adapter makes, and every answer and error the stand-in gives, checked against the SDK's model.
 */
let standIn: RunningPartnerCentralStandIn;
let client: PartnerCentralSellingClient;
const delivered: PartnerCentralEvent[] = [];
const sleeps: number[] = [];

function coSell(calls = new RetryingCalls({ sleep: async (ms) => void sleeps.push(ms) })) {
  return { opportunities: new PartnerCentralCoSellOpportunities(client, 'Sandbox', calls), calls };
}

function draftFor(fields: Record<string, string | undefined> = {}) {
  const registration = storedRegistration(fields);
  const mapping = coSellOpportunityFor({
    registration,
    campaign: fields.campaign_id === undefined && 'campaign_id' in fields ? undefined : awsFundedCampaign,
    defaults: coSellDefaults,
    usdRates: {},
    customer: customerCompany,
  });
  if (!mapping.ok) throw new Error(mapping.problems.join('; '));
  return { registrationId: registration.registrationId, draft: mapping.draft };
}

async function review(id: string, body: Record<string, unknown>) {
  const response = await fetch(`${standIn.url}/_admin/opportunities/${id}/review`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ catalog: 'Sandbox', ...body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * The stand-in's clock: a fixed day that runs on with real time (so LastModifiedDate moves between
 * calls), before the test registrations' close date (2027-03-31), which Partner Central refuses
 * once it has passed.
 */
const clockStarted = Date.now();
const standInNow = () => new Date(Date.parse('2026-11-24T09:00:00Z') + (Date.now() - clockStarted));

beforeAll(async () => {
  standIn = await startPartnerCentralStandIn({
    now: standInNow,
    eventSink: (event) => void delivered.push(event),
  });
  client = partnerCentralClient(
    { catalog: 'Sandbox', region: 'us-east-1', endpoint: standIn.url },
    { accessKeyId: 'local', secretAccessKey: 'local' },
  );
});

let checked = 0;
afterEach(() => {
  // Every request the adapter sent and every answer the stand-in gave meets the SDK's model.
  const exchanges = standIn.exchanges.slice(checked);
  checked = standIn.exchanges.length;
  expect(exchangeProblems(exchanges)).toEqual([]);
});

afterAll(async () => {
  client.destroy();
  await standIn.stop();
});

describe('creating a co-sell opportunity', () => {
  it('is refused, as AWS refuses it, when its target close date has passed, naming the field; nothing is created', async () => {
    // "LifeCycle" (API reference): "Ensure the Target Close Date isn't in the past".
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Slipped Deal GmbH' });
    const yesterday = new Date(standInNow().getTime() - 86_400_000).toISOString().slice(0, 10);
    const before = standIn.catalogs.all().length;

    const failure = await opportunities
      .create(
        { ...draft, LifeCycle: { ...draft.LifeCycle, TargetCloseDate: yesterday } },
        coSellClientToken(registrationId, 'create'),
      )
      .catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(CoSellValidationError);
    expect((failure as CoSellValidationError).fields.map((f) => f.field)).toEqual([
      'LifeCycle.TargetCloseDate',
    ]);
    expect(standIn.exchanges.at(-1)).toMatchObject({
      operation: 'CreateOpportunity',
      status: 400,
      response: { Reason: 'BUSINESS_VALIDATION_FAILED' },
    });
    expect(standIn.catalogs.all()).toHaveLength(before);

    // Today is not in the past.
    const today = standInNow().toISOString().slice(0, 10);
    const created = await opportunities.create(
      { ...draft, LifeCycle: { ...draft.LifeCycle, TargetCloseDate: today } },
      `${coSellClientToken(registrationId, 'create')}-today`,
    );
    expect(created.opportunityId).toMatch(/^O\d+$/);
  });

  it('creates it Pending Submission with what the registration says, read back through GetOpportunity', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor();

    const created = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));
    const read = await opportunities.get(created.opportunityId);

    expect(created.opportunityId).toMatch(/^O\d+$/);
    expect(read).toMatchObject({
      opportunityId: created.opportunityId,
      registrationId,
      customerCompanyName: 'Contoso Ltd.',
      stage: 'Prospect',
      reviewStatus: 'Pending Submission',
      targetCloseDate: '2027-03-31',
    });
    const raw = await client.send(
      new GetOpportunityCommand({ Catalog: 'Sandbox', Identifier: created.opportunityId }),
    );
    expect(raw.Marketing).toEqual(draft.Marketing);
    expect(raw.Project?.ExpectedCustomerSpend).toEqual(draft.Project.ExpectedCustomerSpend);
    expect(shapeProblems('GetOpportunityResponse', { ...raw, $metadata: undefined }, 'sdk')).toEqual([]);
  });

  it('is one opportunity however often the create is retried with the same client token', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Retry Industries' });
    const token = coSellClientToken(registrationId, 'create');
    const createdBefore = standIn.events.filter((e) => e['detail-type'] === 'Opportunity Created').length;

    const first = await opportunities.create(draft, token);
    const again = await opportunities.create(draft, token);
    const listed = await opportunities.list({ customerCompanyNames: ['Retry Industries'] });

    expect(again.opportunityId).toBe(first.opportunityId);
    expect(listed.opportunities.map((o) => o.opportunityId)).toEqual([first.opportunityId]);
    expect(standIn.events.filter((e) => e['detail-type'] === 'Opportunity Created')).toHaveLength(
      createdBefore + 1,
    );
  });

  it('refuses the same client token with a different opportunity as a conflict', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Token Reuse GmbH' });
    const token = coSellClientToken(registrationId, 'create');
    await opportunities.create(draft, token);

    const changed: CoSellOpportunityDraft = {
      ...draft,
      LifeCycle: { ...draft.LifeCycle, TargetCloseDate: '2027-06-30' },
    };

    await expect(opportunities.create(changed, token)).rejects.toThrow(CoSellConflictError);
    await expect(opportunities.create(changed, token)).rejects.toThrow(/Conflicting client token/);
  });

  it('turns a ValidationException into a validation error naming each field', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor();
    const broken = {
      ...draft,
      LifeCycle: { Stage: 'Won', TargetCloseDate: '2027-02-30x' },
    } as unknown as CoSellOpportunityDraft;

    const failure = await opportunities
      .create(broken, coSellClientToken(registrationId, 'create'))
      .catch((e) => e);

    expect(failure).toBeInstanceOf(CoSellValidationError);
    expect((failure as CoSellValidationError).fields.map((f) => f.field)).toEqual([
      'LifeCycle.Stage',
      'LifeCycle.TargetCloseDate',
    ]);
  });

  it('refuses an ExpectedCustomerSpend AWS refuses: an amount not a decimal of two places, a currency other than USD or EUR', async () => {
    // "ExpectedCustomerSpend" (AWS Partner Central API reference): Amount matches
    // ^(0|([1-9][0-9]{0,30}))(\.[0-9]{0,2})?$; CurrencyCode: "Accepted values are USD (US Dollars)
    // and EUR (Euros)", although the model's CurrencyCode enum lists every ISO 4217 code.
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Spend Rules GmbH' });
    const withSpend = (Amount: string, CurrencyCode: string) =>
      ({
        ...draft,
        Project: {
          ...draft.Project,
          ExpectedCustomerSpend: [{ Amount, CurrencyCode, Frequency: 'Monthly', TargetCompany: 'AWS' }],
        },
      }) as unknown as CoSellOpportunityDraft;
    const refusal = async (candidate: CoSellOpportunityDraft, token: string) =>
      opportunities.create(candidate, token).then(
        () => 'accepted',
        (error: unknown) =>
          error instanceof CoSellValidationError ? error.fields.map((f) => f.field).join(',') : String(error),
      );
    const before = standIn.catalogs.all().length;

    expect(await refusal(withSpend('1,250.00', 'USD'), `${registrationId}-a`)).toBe(
      'Project.ExpectedCustomerSpend[0].Amount',
    );
    expect(await refusal(withSpend('1250.005', 'USD'), `${registrationId}-b`)).toBe(
      'Project.ExpectedCustomerSpend[0].Amount',
    );
    expect(await refusal(withSpend('-5', 'EUR'), `${registrationId}-c`)).toBe(
      'Project.ExpectedCustomerSpend[0].Amount',
    );
    expect(await refusal(withSpend('1250.00', 'GBP'), `${registrationId}-d`)).toBe(
      'Project.ExpectedCustomerSpend[0].CurrencyCode',
    );
    expect(standIn.catalogs.all().length).toBe(before);
    // What the model allows still goes through.
    expect(await refusal(withSpend('1250.5', 'EUR'), `${registrationId}-e`)).toBe('accepted');
    // The model agrees with the stand-in.
    expect(
      shapeProblems('ExpectedCustomerSpend', {
        Amount: '1,250.00',
        CurrencyCode: 'GBP',
        Frequency: 'Monthly',
        TargetCompany: 'AWS',
      })
        .map((problem) => problem.path)
        .sort(),
    ).toEqual(['Amount', 'CurrencyCode']);
  });

  it('turns an AccessDeniedException into an access-denied error', async () => {
    const calls = new RetryingCalls({ sleep: async () => undefined });
    // A catalog the account may not use (the model's pattern allows any letters).
    const elsewhere = new PartnerCentralCoSellOpportunities(client, 'Marketplace' as 'Sandbox', calls);

    await expect(elsewhere.get('O1')).rejects.toThrow(CoSellAccessDeniedError);
  });
});

describe('submitting to AWS', () => {
  it('refuses, as AWS does, to submit an opportunity no Partner Solution is associated with, and submits it once one is', async () => {
    // "Associating, disassociating and assigning opportunities" (Partner Central API guide): at
    // least one Partner Solution before StartEngagementFromOpportunityTask.
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Solutionless Co' });
    const { opportunityId } = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));
    const submission = {
      involvement: 'Co-Sell',
      clientToken: coSellClientToken(registrationId, 'submit'),
    } as const;

    const failure = await opportunities.submitToAws(opportunityId, submission).catch((e) => e);
    expect(failure).toBeInstanceOf(CoSellValidationError);
    expect((failure as CoSellValidationError).fields.map((f) => f.field)).toEqual([
      'RelatedEntityIdentifiers.Solutions',
    ]);

    await opportunities.associateSolution(opportunityId, 'S-0000001');
    // Associated again (a retried share step), it changes nothing.
    await opportunities.associateSolution(opportunityId, 'S-0000001');
    const associated = standIn.exchanges.filter((exchange) => exchange.operation === 'AssociateOpportunity');
    expect(associated.at(-1)?.request).toEqual({
      Catalog: 'Sandbox',
      OpportunityIdentifier: opportunityId,
      RelatedEntityType: 'Solutions',
      RelatedEntityIdentifier: 'S-0000001',
    });
    expect((await opportunities.submitToAws(opportunityId, submission)).status).toBe('COMPLETE');
    const opportunity = standIn
      .snapshot()
      .catalogs.opportunities.find((stored) => stored.opportunity.Id === opportunityId)?.opportunity;
    expect(opportunity?.RelatedEntityIdentifiers).toEqual({ Solutions: ['S-0000001'] });
  });

  it('refuses a solution id that is not one (Solutions take S- ids)', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Wrong Solution Co' });
    const { opportunityId } = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));

    await expect(opportunities.associateSolution(opportunityId, 'Dealreg Platform')).rejects.toThrow(
      CoSellValidationError,
    );
  });

  it('submits once per client token and moves the opportunity to Submitted', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Submit Co' });
    const { opportunityId } = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));
    const submission = {
      involvement: 'Co-Sell',
      clientToken: coSellClientToken(registrationId, 'submit'),
    } as const;

    await opportunities.associateSolution(opportunityId, 'S-0000001');
    const task = await opportunities.submitToAws(opportunityId, submission);
    const again = await opportunities.submitToAws(opportunityId, submission);

    expect(task).toMatchObject({ status: 'COMPLETE', taskId: expect.stringMatching(/^task-[0-9a-z]{13}$/) });
    expect(again.taskId).toBe(task.taskId);
    expect((await opportunities.get(opportunityId)).reviewStatus).toBe('Submitted');
    await expect(
      opportunities.submitToAws(opportunityId, { ...submission, clientToken: 'another-token' }),
    ).rejects.toThrow(CoSellValidationError);
  });

  it('refuses, as AWS does, to submit an opportunity without the industry, postal code and US state it requires, naming each field', async () => {
    // "Account" and "Address" (AWS Partner Central API reference), "Working with your
    // opportunities" (Partner Central developer guide): a ValidationException with
    // BUSINESS_VALIDATION_FAILED and one REQUIRED_FIELD_MISSING error per field.
    const { opportunities } = coSell();
    const registration = storedRegistration({ customer_company_name: 'Unsubmittable Co' });
    const mapping = coSellOpportunityFor({
      registration,
      campaign: awsFundedCampaign,
      defaults: coSellDefaults,
      usdRates: {},
    });
    if (!mapping.ok) throw new Error(mapping.problems.join('; '));
    const { opportunityId } = await opportunities.create(
      mapping.draft,
      coSellClientToken(registration.registrationId, 'create'),
    );

    await opportunities.associateSolution(opportunityId, 'S-0000001');
    const failure = await opportunities
      .submitToAws(opportunityId, {
        involvement: 'Co-Sell',
        clientToken: coSellClientToken(registration.registrationId, 'submit'),
      })
      .catch((e) => e);

    expect(failure).toBeInstanceOf(CoSellValidationError);
    expect((failure as CoSellValidationError).fields.map((f) => f.field)).toEqual([
      'Customer.Account.Industry',
      'Customer.Account.Address.PostalCode',
      'Customer.Account.Address.StateOrRegion',
    ]);
    const refused = standIn.exchanges.at(-1);
    expect(refused).toMatchObject({
      operation: 'StartEngagementFromOpportunityTask',
      status: 400,
      response: { Reason: 'BUSINESS_VALIDATION_FAILED' },
    });
    expect((await opportunities.get(opportunityId)).reviewStatus).toBe('Pending Submission');
  });

  it('submits, as AWS does, a customer in a country without postal codes (Hong Kong) without one, and refuses one in the United Kingdom', async () => {
    // "Countries without Postal Code" (aws-samples/partner-crm-integration-samples).
    const { opportunities } = coSell();
    const submitted = async (country: string) => {
      const registration = storedRegistration({
        customer_company_name: `Harbour Trading ${country}`,
        customer_country: country,
      });
      const mapping = coSellOpportunityFor({
        registration,
        campaign: awsFundedCampaign,
        defaults: coSellDefaults,
        usdRates: {},
        customer: { ...customerCompany, zip: null, state: null, city: 'Central', country },
      });
      if (!mapping.ok) throw new Error(mapping.problems.join('; '));
      const { opportunityId } = await opportunities.create(
        mapping.draft,
        coSellClientToken(registration.registrationId, 'create'),
      );
      await opportunities.associateSolution(opportunityId, 'S-0000001');
      return opportunities
        .submitToAws(opportunityId, {
          involvement: 'Co-Sell',
          clientToken: coSellClientToken(registration.registrationId, 'submit'),
        })
        .then((task) => task.status)
        .catch((e: unknown) => e);
    };

    expect(await submitted('HK')).toBe('COMPLETE');
    const refused = await submitted('GB');
    expect(refused).toBeInstanceOf(CoSellValidationError);
    expect((refused as CoSellValidationError).fields.map((f) => f.field)).toEqual([
      'Customer.Account.Address.PostalCode',
    ]);
  });

  it('answers a missing opportunity with a not-found error', async () => {
    const { opportunities } = coSell();

    await expect(opportunities.get('O999999999')).rejects.toThrow(CoSellOpportunityNotFoundError);
    await expect(
      opportunities.submitToAws('O999999999', { involvement: 'For Visibility Only', clientToken: 'x-1' }),
    ).rejects.toThrow(CoSellOpportunityNotFoundError);
  });
});

describe('AWS review', () => {
  it('moves a submitted opportunity through review to Launched and sends an Opportunity Updated event each time', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Review Ltd' });
    const { opportunityId } = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));
    await opportunities.associateSolution(opportunityId, 'S-0000001');
    await opportunities.submitToAws(opportunityId, {
      involvement: 'Co-Sell',
      clientToken: coSellClientToken(registrationId, 'submit'),
    });
    const before = delivered.length;

    expect((await review(opportunityId, { action: 'in-review' })).status).toBe(200);
    expect((await review(opportunityId, { action: 'approve' })).status).toBe(200);
    expect((await review(opportunityId, { action: 'launch' })).status).toBe(200);
    await standIn.eventsDelivered();

    expect(await opportunities.get(opportunityId)).toMatchObject({
      reviewStatus: 'Approved',
      stage: 'Launched',
    });
    const events = delivered.slice(before);
    expect(events.map((e) => e['detail-type'])).toEqual([
      'Opportunity Updated',
      'Opportunity Updated',
      'Opportunity Updated',
    ]);
    expect(events[0]).toMatchObject({
      version: '1',
      source: 'aws.partnercentral-selling',
      region: 'us-east-1',
      detail: { schemaVersion: '1', catalog: 'Sandbox', opportunity: { identifier: opportunityId } },
    });
    expect(events[0]?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('refuses a move AWS review does not make, and changes nothing', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Early Bird Inc' });
    const { opportunityId } = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));

    const approveUnsubmitted = await review(opportunityId, { action: 'approve' });
    const unknownAction = await review(opportunityId, { action: 'win' });

    expect(approveUnsubmitted).toEqual({
      status: 409,
      body: {
        message: `cannot approve opportunity ${opportunityId}: its review status is Pending Submission, not Submitted or In review`,
      },
    });
    expect(unknownAction.status).toBe(400);
    expect((await opportunities.get(opportunityId)).reviewStatus).toBe('Pending Submission');
  });

  it('refuses to close an opportunity lost while AWS reviews it, as the partner cannot change it then', async () => {
    // "CreateOpportunity" (AWS Partner Central API reference): "After submission, you can't edit
    // the opportunity until the review is complete"; Closed Lost is the partner's UpdateOpportunity.
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Lost In Review Ltd' });
    const { opportunityId } = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));
    await opportunities.associateSolution(opportunityId, 'S-0000001');
    await opportunities.submitToAws(opportunityId, {
      involvement: 'Co-Sell',
      clientToken: coSellClientToken(registrationId, 'submit'),
    });
    const submitted = await opportunities.get(opportunityId);

    const whileSubmitted = await review(opportunityId, { action: 'closed-lost' });
    await review(opportunityId, { action: 'in-review' });
    const whileInReview = await review(opportunityId, { action: 'closed-lost' });

    expect(whileSubmitted).toEqual({
      status: 409,
      body: {
        message: `cannot closed-lost opportunity ${opportunityId}: AWS is reviewing it (Submitted); the partner cannot change it until the review ends`,
      },
    });
    expect(whileInReview.status).toBe(409);
    expect((await opportunities.get(opportunityId)).stage).toBe(submitted.stage);
    await review(opportunityId, { action: 'approve' });
    expect(await review(opportunityId, { action: 'closed-lost', closedLostReason: 'Other' })).toMatchObject({
      status: 200,
      body: { LifeCycle: { Stage: 'Closed Lost', ReviewStatus: 'Approved', ClosedLostReason: 'Other' } },
    });
  });

  it('lets the partner update an opportunity AWS sent back, only with its current LastModifiedDate', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Fix It Ltd' });
    const { opportunityId } = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));
    await opportunities.associateSolution(opportunityId, 'S-0000001');
    await opportunities.submitToAws(opportunityId, {
      involvement: 'Co-Sell',
      clientToken: `s-${opportunityId}`,
    });
    const read = () =>
      client.send(new GetOpportunityCommand({ Catalog: 'Sandbox', Identifier: opportunityId }));
    const update = (lastModified: Date | undefined) =>
      client.send(
        new UpdateOpportunityCommand({
          Catalog: 'Sandbox',
          Identifier: opportunityId,
          LastModifiedDate: lastModified,
          Customer: { Account: { CompanyName: 'Fix It Ltd', WebsiteUrl: 'https://fixit.example' } },
          Project: { ...draft.Project, CustomerBusinessProblem: 'A clearer business problem, as AWS asked' },
          LifeCycle: { Stage: 'Qualified', TargetCloseDate: '2027-03-31' },
        }),
      );

    await expect(update((await read()).LastModifiedDate)).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await review(opportunityId, { action: 'action-required', comments: 'Describe the business problem' });
    const stale = new Date(Date.parse('2020-01-01T00:00:00Z'));
    await expect(update(stale)).rejects.toMatchObject({ name: 'ConflictException' });
    await update((await read()).LastModifiedDate);

    expect((await read()).LifeCycle).toMatchObject({
      Stage: 'Qualified',
      ReviewStatus: 'Action Required',
      ReviewComments: 'Describe the business problem',
    });
  });

  it("gives AWS's reason for sending an opportunity back in GetOpportunity's LifeCycle, as the service model has it", async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Reasoned Ltd' });
    const { opportunityId } = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));
    await opportunities.associateSolution(opportunityId, 'S-0000001');
    await opportunities.submitToAws(opportunityId, {
      involvement: 'Co-Sell',
      clientToken: `s-${opportunityId}`,
    });

    await review(opportunityId, { action: 'action-required', reason: 'Customer details incomplete' });
    const raw = await client.send(
      new GetOpportunityCommand({ Catalog: 'Sandbox', Identifier: opportunityId }),
    );

    expect(raw.LifeCycle).toMatchObject({
      ReviewStatus: 'Action Required',
      ReviewStatusReason: 'Customer details incomplete',
    });
    expect(shapeProblems('GetOpportunityResponse', { ...raw, $metadata: undefined }, 'sdk')).toEqual([]);
  });
});

describe("the expected spend AWS's reviewer or the partner edits", () => {
  it('reads ExpectedCustomerSpend back from GetOpportunity and from the ListOpportunities summary, and follows an edit', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Spend Edit Ltd' });
    const { opportunityId } = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));
    const sent = draft.Project.ExpectedCustomerSpend.map((spend) => ({
      amount: spend.Amount,
      currencyCode: spend.CurrencyCode,
      frequency: 'Monthly',
      targetCompany: 'AWS',
    }));
    const listed = async () =>
      (await opportunities.list({ customerCompanyNames: ['Spend Edit Ltd'] })).opportunities[0]
        ?.expectedSpend;

    expect((await opportunities.get(opportunityId)).expectedSpend).toEqual(sent);
    expect(await listed()).toEqual(sent);

    const before = delivered.length;
    const edited = await review(opportunityId, {
      expectedCustomerSpend: [
        { Amount: '12500.00', CurrencyCode: 'EUR', Frequency: 'Monthly', TargetCompany: 'AWS' },
      ],
    });
    await standIn.eventsDelivered();
    const after = [{ amount: '12500.00', currencyCode: 'EUR', frequency: 'Monthly', targetCompany: 'AWS' }];

    expect(edited.status).toBe(200);
    expect((await opportunities.get(opportunityId)).expectedSpend).toEqual(after);
    expect(await listed()).toEqual(after);
    expect(delivered.slice(before).map((event) => event['detail-type'])).toEqual(['Opportunity Updated']);
  });

  it('refuses an expected spend that is not the model’s ExpectedCustomerSpend, and changes nothing', async () => {
    const { opportunities } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Bad Spend Ltd' });
    const { opportunityId } = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));
    const before = await opportunities.get(opportunityId);

    const weekly = await review(opportunityId, {
      expectedCustomerSpend: [
        { Amount: '100', CurrencyCode: 'USD', Frequency: 'Weekly', TargetCompany: 'AWS' },
      ],
    });
    const words = await review(opportunityId, {
      action: 'approve',
      expectedCustomerSpend: [
        { Amount: 'ten thousand', CurrencyCode: 'USD', Frequency: 'Monthly', TargetCompany: 'AWS' },
      ],
    });

    expect(weekly.status).toBe(400);
    expect(String(weekly.body.message)).toContain('expectedCustomerSpend: [0] Frequency');
    expect(words).toEqual({
      status: 400,
      body: { message: 'expectedCustomerSpend: [0] Amount: expected a decimal string such as 10000.50' },
    });
    expect(await opportunities.get(opportunityId)).toEqual(before);
  });
});

describe('listing', () => {
  it('pages through every opportunity once, newest change first, and filters by review status', async () => {
    const { opportunities } = coSell();
    for (let i = 0; i < 5; i += 1) {
      const { registrationId, draft } = draftFor({ customer_company_name: `Paging ${i}` });
      await opportunities.create(draft, coSellClientToken(registrationId, 'create'));
    }
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await opportunities.list({}, { pageToken, pageSize: 2 });
      seen.push(...page.opportunities.map((o) => o.opportunityId));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken !== undefined);
    const all = standIn.catalogs.all().filter((o) => o.catalog === 'Sandbox');
    const submitted = await opportunities.list({ reviewStatuses: ['Submitted'] });

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(all.map((o) => String(o.opportunity.Id)).sort());
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect(submitted.opportunities.length).toBeGreaterThan(0);
    expect(submitted.opportunities.every((o) => o.reviewStatus === 'Submitted')).toBe(true);
  });
});

describe('throttling and server failures', () => {
  it('retries ThrottlingException and InternalServerException with backoff until the call goes through', async () => {
    const { opportunities, calls } = coSell();
    const { registrationId, draft } = draftFor({ customer_company_name: 'Busy Corp' });
    standIn.throttleNext(2, 'CreateOpportunity');
    standIn.failNext(1, 'CreateOpportunity');
    sleeps.length = 0;

    const created = await opportunities.create(draft, coSellClientToken(registrationId, 'create'));

    expect(created.opportunityId).toMatch(/^O\d+$/);
    expect(calls.stats).toMatchObject({ requests: 4, retries: 3, throttled: 2, serverErrors: 1 });
    console.log(`backoff before each retry (ms): ${sleeps.join(', ')}`);
    expect(
      standIn.catalogs
        .all()
        .filter(
          (o) =>
            (o.opportunity.Customer as { Account: { CompanyName: string } }).Account.CompanyName ===
            'Busy Corp',
        ),
    ).toHaveLength(1);
  });

  it('gives up with a throttled error after the last attempt', async () => {
    const { opportunities, calls } = coSell(
      new RetryingCalls({ sleep: async () => undefined, policy: { maxAttempts: 3 } }),
    );
    standIn.throttleNext(3, 'ListOpportunities');

    await expect(opportunities.list()).rejects.toThrow(CoSellThrottledError);
    expect(calls.stats.requests).toBe(3);
  });

  it('gives way at once when the next attempt would start past the invocation deadline', async () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    const calls = new RetryingCalls({
      sleep: async () => undefined,
      now: () => now,
      deadline: () => now + 20_500,
    });
    const { opportunities } = coSell(calls);
    standIn.throttleNext(1, 'ListOpportunities');

    await expect(opportunities.list()).rejects.toThrow(/giving way/);
    expect(calls.stats).toMatchObject({ requests: 1, gaveWay: 1 });
  });
});

describe('an unreachable Partner Central', () => {
  it('retries a refused connection and then fails as unavailable', async () => {
    const closed = await startPartnerCentralStandIn();
    const url = closed.url;
    await closed.stop();
    const unreachable = partnerCentralClient(
      { catalog: 'Sandbox', region: 'us-east-1', endpoint: url },
      { accessKeyId: 'local', secretAccessKey: 'local' },
    );
    const calls = new RetryingCalls({ sleep: async () => undefined, policy: { maxAttempts: 3 } });

    await expect(
      new PartnerCentralCoSellOpportunities(unreachable, 'Sandbox', calls).get('O1'),
    ).rejects.toThrow(CoSellUnavailableError);
    expect(calls.stats).toMatchObject({ requests: 3, serverErrors: 3 });
    unreachable.destroy();
  });
});

describe('events to a URL', () => {
  it('posts each event as JSON in order, and keeps a failed delivery without failing the call', async () => {
    const received: unknown[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        received.push(JSON.parse(body));
        response.writeHead(received.length === 1 ? 204 : 503).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    const posting = await startPartnerCentralStandIn({
      now: standInNow,
      eventSink: { url: `http://127.0.0.1:${port}/events` },
    });
    const postingClient = partnerCentralClient(
      { catalog: 'Sandbox', region: 'us-east-1', endpoint: posting.url },
      { accessKeyId: 'local', secretAccessKey: 'local' },
    );
    const opportunities = new PartnerCentralCoSellOpportunities(
      postingClient,
      'Sandbox',
      new RetryingCalls({ sleep: async () => undefined }),
    );
    try {
      const { registrationId, draft } = draftFor();
      const { opportunityId } = await opportunities.create(
        draft,
        coSellClientToken(registrationId, 'create'),
      );
      await opportunities.associateSolution(opportunityId, 'S-0000001');
      await opportunities.submitToAws(opportunityId, {
        involvement: 'Co-Sell',
        clientToken: `s-${opportunityId}`,
      });
      await posting.eventsDelivered();

      expect(received).toMatchObject([
        { 'detail-type': 'Opportunity Created', detail: { opportunity: { identifier: opportunityId } } },
        { 'detail-type': 'Opportunity Updated', detail: { opportunity: { identifier: opportunityId } } },
      ]);
      expect(posting.failedDeliveries).toEqual([
        `Opportunity Updated ${opportunityId}: http://127.0.0.1:${port}/events answered 503`,
      ]);
    } finally {
      postingClient.destroy();
      await posting.stop();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
