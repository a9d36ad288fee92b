import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { addBusinessHours } from '#domain/business-hours/business-hours.ts';
import type { LoadedPolicy } from '#domain/policy/load-policy.ts';
import { nextQbrCheck, quarterContaining } from '#domain/qbr/fiscal-calendar.ts';
import { crmNames } from '#ports/hubspot.ts';
import { readChain } from '#use-cases/ledger-append.ts';
import { importInvestments } from '#use-cases/ledger-import-investments.ts';
import type { RunningLocalStack } from './stack.ts';

/**
 * The policy the demo plays under when no `--policy` is given: the default policy with co-sell
 * on (AWS Marketplace registrations approved as sourced, influenced or referral are shared with
 * Partner Central's Sandbox catalog and submitted to AWS), so Globex shows the round trip.
 */
export const demoPolicyFile = fileURLToPath(new URL('../policy/demo-policy.json', import.meta.url));

/** A partner's answers on the deal-registration form, by form field name. */
type FormAnswers = Record<string, string>;

/** A date `days` after the virtual `now`, as a partner types it into the form. */
type DaysFrom = (days: number) => string;

interface DemoRegistration {
  readonly story: string;
  readonly answers: FormAnswers;
  readonly dropWebhook?: boolean;
}

/** The registrations of the quarter's first week. */
function firstWeekRegistrations(isoDate: DaysFrom): readonly DemoRegistration[] {
  return [
    {
      story: 'Cloudwise Partners registers Initrode (USD 12,000, nobody else sells there): approved at once',
      answers: {
        email: 'maya.chen@cloudwise.io',
        partner_company_domain: 'cloudwise.io',
        customer_company_name: 'Initrode',
        customer_domain: 'initrode.com',
        customer_country: 'US',
        estimated_amount: '12000',
        currency: 'USD',
        expected_close_date: isoDate(45),
        products: 'Platform',
        campaign_id: 'CMP-AWS-SUMMIT',
        cloud_marketplace: 'none',
      },
    },
    {
      story: 'Cloudwise Partners registers Globex Corporation (AWS Marketplace, USD 180,000)',
      answers: {
        email: 'maya.chen@cloudwise.io',
        partner_company_domain: 'cloudwise.io',
        customer_company_name: 'Globex Corporation',
        customer_domain: 'globex.com',
        customer_country: 'US',
        estimated_amount: '180000',
        currency: 'USD',
        expected_close_date: isoDate(75),
        products: 'Platform;Analytics',
        campaign_id: 'CMP-AWS-SUMMIT',
        cloud_marketplace: 'aws',
        deal_description: 'Data platform migration, co-sell with AWS',
      },
    },
    {
      story:
        'Skyline Integrators registers Umbrella Health with a close date in the past (the partner is emailed what to fix)',
      answers: {
        email: 'tom.ridley@skyline-integrators.co.uk',
        partner_company_domain: 'skyline-integrators.co.uk',
        customer_company_name: 'Umbrella Health',
        customer_domain: 'umbrellahealth.com',
        estimated_amount: '42,500',
        currency: 'GBP',
        expected_close_date: isoDate(-3),
      },
    },
    {
      story:
        "Northwind Consulting registers Stark Logistics, but HubSpot's webhook never arrives (the backfill picks it up)",
      dropWebhook: true,
      answers: {
        email: 'lena.vogt@northwind-consulting.de',
        partner_company_domain: 'northwind-consulting.de',
        customer_company_name: 'Stark Logistics',
        customer_domain: 'starklogistics.com',
        estimated_amount: '95000',
        currency: 'EUR',
        expected_close_date: isoDate(120),
        campaign_id: 'CMP-Q4-WEBINARS',
        cloud_marketplace: 'azure',
      },
    },
  ];
}

/** The registrations of the quarter's second week. */
function laterRegistrations(isoDate: DaysFrom): readonly DemoRegistration[] {
  return [
    {
      story: 'Skyline Integrators registers Umbrella Health again, with the close date fixed (GBP 42,500)',
      answers: {
        email: 'tom.ridley@skyline-integrators.co.uk',
        partner_company_domain: 'skyline-integrators.co.uk',
        customer_company_name: 'Umbrella Health',
        customer_domain: 'umbrellahealth.com',
        customer_country: 'US',
        estimated_amount: '42,500',
        currency: 'GBP',
        expected_close_date: isoDate(100),
        campaign_id: 'CMP-Q4-WEBINARS',
      },
    },
    {
      story: 'Northwind Consulting registers Wayne Retail Group (USD 60,000)',
      answers: {
        email: 'lena.vogt@northwind-consulting.de',
        partner_company_domain: 'northwind-consulting.de',
        customer_company_name: 'Wayne Retail Group',
        customer_domain: 'wayneretail.com',
        customer_country: 'US',
        estimated_amount: '60000',
        currency: 'USD',
        expected_close_date: isoDate(90),
        campaign_id: 'CMP-Q4-WEBINARS',
      },
    },
  ];
}

async function sandboxAdmin(
  stack: RunningLocalStack,
  method: string,
  path: string,
  body?: unknown,
): Promise<void> {
  const response = await fetch(`${stack.description.hubspot.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(
      `HubSpot sandbox ${method} ${path} answered ${response.status}: ${await response.text()}`,
    );
}

/** A mail in the local mailbox, as the demo reads it. */
interface DemoMail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly template: string;
  readonly links: readonly string[];
}

/** Calls the sandbox's CRM API with the portal's token, as a sales rep's HubSpot would. */
async function crm(stack: RunningLocalStack, method: string, path: string, body?: unknown): Promise<unknown> {
  const { hubspot } = stack.description;
  const response = await fetch(`${hubspot.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hubspot.accessToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`HubSpot sandbox ${method} ${path} answered ${response.status}: ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** The deals in the portal, by name (the demo portal holds a few dozen at most). */
async function dealsByName(
  stack: RunningLocalStack,
): Promise<Map<string, { readonly id: string; readonly registrationId: string }>> {
  const byName = new Map<string, { readonly id: string; readonly registrationId: string }>();
  let after: string | undefined;
  do {
    const page = (await crm(
      stack,
      'GET',
      `/crm/v3/objects/deals?limit=100&properties=dealname,${crmNames.deal.registrationId}${after === undefined ? '' : `&after=${after}`}`,
    )) as {
      results: { id: string; properties: Record<string, string | null | undefined> }[];
      paging?: { next?: { after: string } };
    };
    for (const deal of page.results)
      byName.set(deal.properties.dealname ?? '', {
        id: deal.id,
        registrationId: deal.properties[crmNames.deal.registrationId] ?? '',
      });
    after = page.paging?.next?.after;
  } while (after !== undefined);
  return byName;
}

/** The deal an approved registration for `customer` created or claimed in HubSpot. */
async function registeredDeal(stack: RunningLocalStack, customer: string): Promise<string> {
  for (const [name, deal] of await dealsByName(stack)) {
    if (name.startsWith(customer) && deal.registrationId !== '') return deal.id;
  }
  throw new Error(`the demo expected a HubSpot deal registered for ${customer}`);
}

async function submit(stack: RunningLocalStack, answers: FormAnswers, dropWebhook = false): Promise<void> {
  const { hubspot } = stack.description;
  if (dropWebhook) await sandboxAdmin(stack, 'PUT', '/_sandbox/webhooks', { dropRate: 1 });
  const response = await fetch(
    `${hubspot.url}/submissions/v3/integration/submit/${hubspot.portalId}/${hubspot.formGuid}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        fields: Object.entries(answers).map(([name, value]) => ({ name, value })),
        context: { pageUri: 'https://partners.example.com/register-a-deal' },
      }),
    },
  );
  if (!response.ok) throw new Error(`the HubSpot form refused a demo submission: ${await response.text()}`);
  await sandboxAdmin(stack, 'POST', '/_sandbox/webhooks/flush');
  // The webhook is a trigger: the sweep it asked for takes the submission in.
  await stack.requestedSweepsDone();
  if (dropWebhook) await sandboxAdmin(stack, 'PUT', '/_sandbox/webhooks', { dropRate: 0 });
}

/** Waits until the workflows and HubSpot's queued webhooks have done what the last step started. */
async function settle(stack: RunningLocalStack): Promise<void> {
  // Through retry pauses: a step throttled by the steps function's reserved concurrency tries
  // again after a pause of real time, and the story tells where each workflow stands after it.
  await stack.runner.settle({ throughRetryPauses: true });
  await sandboxAdmin(stack, 'POST', '/_sandbox/webhooks/flush');
  await stack.requestedSweepsDone();
  await stack.runner.settle({ throughRetryPauses: true });
}

/**
 * An approver opens the link of their newest approval email about `customer` and decides on the
 * page, as in a browser: the form of `decision` is posted with its signed fields, the relationship
 * type chosen in its drop-down (`as`, else the one the page preselects) and `reason`.
 */
async function decide(
  stack: RunningLocalStack,
  customer: string,
  decision: { readonly outcome: 'approve' | 'reject'; readonly as?: string },
  reason: string,
): Promise<void> {
  const mails = (await stack.mailbox.list()) as readonly DemoMail[];
  const request = mails
    .filter((mail) => mail.template === 'approval-request' && mail.subject.includes(customer))
    .at(-1);
  const link = request?.links.find((candidate) => candidate.includes('/approvals/'));
  if (link === undefined) throw new Error(`the demo found no approval email about ${customer}`);
  const page = await fetch(link);
  const html = await page.text();
  const form = [...html.matchAll(/<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/g)].find((match) =>
    match[2]?.includes(`name="decision" value="${decision.outcome}"`),
  );
  if (form === undefined)
    throw new Error(
      `the approval page about ${customer} offers no "${decision.outcome}" decision (${[...html.matchAll(/name="decision" value="([^"]+)"/g)].map((match) => match[1]).join(', ')})`,
    );
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields.set(input[1] ?? '', decodeEntities(input[2] ?? ''));
  for (const select of (form[2] ?? '').matchAll(/<select[^>]* name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const options = [...(select[2] ?? '').matchAll(/<option value="([^"]*)"([^>]*)>/g)];
    const chosen =
      options.find((option) => option[1] === decision.as) ??
      options.find((option) => option[2]?.includes('selected')) ??
      options[0];
    if (decision.as !== undefined && chosen?.[1] !== decision.as)
      throw new Error(`the approval page about ${customer} does not offer "${decision.as}"`);
    if (chosen !== undefined) fields.set(select[1] ?? '', chosen[1] ?? '');
  }
  fields.set('reason', reason);
  const action = new URL(decodeEntities(form[1] ?? ''), link);
  const answer = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
  });
  if (!answer.ok)
    throw new Error(`the approval page refused the demo's decision about ${customer}: ${answer.status}`);
  await settle(stack);
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** Moves the virtual clock to `days` after the quarter's first morning, firing what fell due. */
async function dayOfQuarter(
  stack: RunningLocalStack,
  quarterMorning: Date,
  days: number,
  hours = 0,
): Promise<void> {
  const target = new Date(quarterMorning.getTime() + days * 86_400_000 + hours * 3_600_000);
  if (target.getTime() > stack.clock.now().getTime()) await stack.clock.setTo(target);
  await settle(stack);
}

/** A sales rep's edit of a deal in HubSpot; the CRM events bring it to the ledger. */
async function editDeal(
  stack: RunningLocalStack,
  dealId: string,
  properties: Record<string, string>,
): Promise<void> {
  await crm(stack, 'PATCH', `/crm/v3/objects/deals/${dealId}`, { properties });
  await settle(stack);
}

/**
 * How much of the story the demo tells: `quarter` plays the current fiscal quarter on the virtual
 * clock up to its pre-QBR report; `week` tells its first week, at the real time, in seconds.
 */
export const demoStories = ['quarter', 'week'] as const;
export type DemoStory = (typeof demoStories)[number];

/**
 * Where the demo's virtual clock starts: an hour into the first working day of the fiscal quarter
 * `now` is in, in the policy's time zone, so the demo plays that quarter up to its pre-QBR check.
 */
export function demoClockStart(policy: LoadedPolicy, now = new Date()): Date {
  const { calendar, reporting } = policy.policy;
  const quarter = quarterContaining(now, reporting.fiscalYearStartMonth, calendar.timeZone);
  const firstMidnight = new Date(quarter.start);
  return addBusinessHours(firstMidnight, 1, calendar);
}

/**
 * The demo story `npm start` tells, over the current fiscal quarter on the virtual clock:
 * partners submit the HubSpot form, Dealreg takes each submission in once, approvers decide on
 * the emailed pages or let the SLA default decide, sales reps win and lose the deals in HubSpot,
 * marketing's MDF and co-marketing spend is imported, and the pre-QBR check emails leadership
 * the quarter's report.
 */
export async function runDemo(
  stack: RunningLocalStack,
  log: (line: string) => void,
  story: DemoStory = 'quarter',
): Promise<void> {
  const morning = stack.clock.now();
  log(
    story === 'quarter'
      ? `Demo: a quarter of partner deal registration, from ${morning.toISOString().slice(0, 10)} on the virtual clock.`
      : 'Demo: the first week of partner deal registration.',
  );
  log('Week 1: partners submit the deal-registration form in the HubSpot sandbox.');
  const daysFrom: DaysFrom = (days) =>
    new Date(stack.clock.now().getTime() + days * 86_400_000).toISOString().slice(0, 10);
  for (const registration of firstWeekRegistrations(daysFrom)) {
    await submit(stack, registration.answers, registration.dropWebhook === true);
    log(`  - ${registration.story}`);
  }
  const before = stack.runner.listExecutions().length;
  await stack.sweep();
  await settle(stack);
  const after = stack.runner.listExecutions().length;
  const mails = await stack.mailbox.list();
  log(
    `  Registration workflows started: ${after} (${after - before} recovered by the backfill); emails sent: ${mails.length}.`,
  );
  for (const execution of stack.runner.listExecutions()) {
    const visited = stack.runner.statesVisited(execution.name, { nested: true });
    log(`  ${execution.name}: ${describeProgress(visited)}`);
  }
  if (story === 'week') {
    log(`  Read the emails (approvers' links included) at ${stack.description.api}/_local/mail/ui`);
    log(
      `  Move the clock to see reminders, escalation and the SLA default: curl -X POST ${stack.description.api}/_local/clock -d '{"advance":"PT72H"}'`,
    );
    return;
  }

  await dayOfQuarter(stack, morning, 1, 2);
  await decide(
    stack,
    'Globex',
    { outcome: 'approve' },
    'Dana Reyes was already working Globex; Cloudwise brought the AWS co-sell angle.',
  );
  log(
    '  Day 2: the channel manager approves Globex as the conflict check proposes: partner-influenced, as Dana Reyes (a direct rep) was already there.',
  );
  await decide(
    stack,
    'Stark Logistics',
    { outcome: 'approve' },
    'Northwind brought the fleet analytics project.',
  );
  log('  Day 2: the channel manager approves Stark Logistics as partner-sourced.');
  const aceOpportunityId = await coSellOpportunityOf(stack, 'Globex');
  log(
    `  Day 2: Globex names AWS Marketplace, so Dealreg shares it with AWS Partner Central (Sandbox catalog) as co-sell opportunity ${aceOpportunityId} and submits it for AWS's review.`,
  );
  await dayOfQuarter(stack, morning, 3, 1);
  await awsReview(stack, 'Globex', aceOpportunityId, 'in-review', 'In review');
  await dayOfQuarter(stack, morning, 4, 3);
  // AWS's reviewer also puts the customer's expected AWS spend lower than Dealreg sent
  // (USD 15,000.00 a month: 180,000 over 12 months), so the pre-QBR report shows the value drift.
  await awsReview(stack, 'Globex', aceOpportunityId, 'approve', 'Approved', [
    { Amount: '12000.00', CurrencyCode: 'USD', Frequency: 'Monthly', TargetCompany: 'AWS' },
  ]);
  log(
    "  Day 5: AWS reviews and approves the Globex opportunity, expecting USD 12,000 a month of AWS spend where Dealreg sent 15,000; Partner Central's events bring each step back to the deal's ledger (npx dealreg cosell status).",
  );

  log('Weeks 2–3: more registrations, one left to the SLA.');
  await dayOfQuarter(stack, morning, 7);
  for (const registration of laterRegistrations(daysFrom)) {
    await submit(stack, registration.answers);
    log(`  - ${registration.story}`);
  }
  await settle(stack);
  await dayOfQuarter(stack, morning, 8, 2);
  await decide(
    stack,
    'Wayne Retail',
    { outcome: 'approve', as: 'influenced' },
    'Marcus Lee met Wayne Retail at the retail summit first; Northwind runs the evaluation.',
  );
  log(
    '  Day 9: the channel manager approves Wayne Retail Group as partner-influenced, an exception to the policy, with the reason.',
  );
  // Nobody answers about Umbrella Health: reminder, escalation, then the policy's default.
  await dayOfQuarter(stack, morning, 24);
  log(
    '  Day 25: nobody decided on Umbrella Health in 72 working hours: reminded, escalated, and approved by the SLA default.',
  );

  log('Weeks 4–10: sales reps win and lose the deals in HubSpot; marketing imports its spend.');
  const initrode = await registeredDeal(stack, 'Initrode');
  const globex = await registeredDeal(stack, 'Globex');
  const stark = await registeredDeal(stack, 'Stark Logistics');
  const wayne = await registeredDeal(stack, 'Wayne Retail Group');
  const umbrella = await registeredDeal(stack, 'Umbrella Health');
  await dayOfQuarter(stack, morning, 30);
  await editDeal(stack, initrode, { amount: '14500', dealstage: 'closedwon', deal_source: 'Marketing' });
  log(
    '  Day 31: Initrode closes won at USD 14,500 (registered at 12,000); its rep files it under Marketing, so the CRO view misses it.',
  );
  await dayOfQuarter(stack, morning, 38);
  await editDeal(stack, wayne, { dealstage: 'closedlost', deal_source: 'Partner' });
  log('  Day 39: Wayne Retail Group is lost.');
  await dayOfQuarter(stack, morning, 45);
  await editDeal(stack, globex, {
    dealstage: 'closedwon',
    closedate: new Date(stack.clock.now()).toISOString(),
  });
  log('  Day 46: Globex closes won at USD 180,000; the CRO dashboards keep it as a direct deal.');
  await dayOfQuarter(stack, morning, 52);
  await editDeal(stack, stark, { dealstage: 'closedwon', deal_source: 'Partner' });
  log('  Day 53: Stark Logistics closes won at EUR 95,000.');
  // Someone relabels Northwind on the Stark deal by hand: the ledger keeps the approved
  // relationship and the change, and the report calls it drift.
  await relabelPartner(stack, stark, '20000002', 'influenced');
  log(
    '  Day 53: someone relabels Northwind on the Stark deal as influenced in HubSpot (drift from the approval).',
  );
  await editDeal(stack, umbrella, { dealstage: 'presentationscheduled', deal_source: 'Partner' });
  await dayOfQuarter(stack, morning, 55);
  const quarterStart = morning.toISOString().slice(0, 10);
  const investments = [
    'investmentId,investmentType,campaignId,partnerId,amount,currency,usdRate,effectiveAt,opportunityId',
    `INV-MDF-1,MDF,CMP-AWS-SUMMIT,20000001,5000,USD,1,${quarterStart}T15:00:00Z,${initrode}`,
    `INV-COMK-1,co-marketing,CMP-Q4-WEBINARS,20000002,8000,USD,1,${quarterStart}T15:00:00Z,`,
    `INV-MDF-2,MDF,CMP-Q4-WEBINARS,20000003,3000,GBP,1.27,${quarterStart}T15:00:00Z,`,
  ].join('\n');
  const imported = await importInvestments(stack.ledger, investments, {
    recordedBy: 'demo',
    investmentTypes: stack.policy.policy.reporting.investmentTypes,
  });
  log(`  Day 56: marketing imports its spend: ${imported.appended} investments (MDF and co-marketing).`);

  const { reporting, calendar } = stack.policy.policy;
  const check = nextQbrCheck(
    stack.clock.now(),
    reporting.qbrCheckBusinessDaysBeforeQuarterEnd,
    calendar,
    reporting.fiscalYearStartMonth,
  );
  // The scheduled pre-QBR check fires at the opening of working hours on the check day.
  await stack.clock.setTo(new Date(check.runAt.getTime() + 60_000));
  await settle(stack);
  log(
    `Check day ${check.runAt.toISOString().slice(0, 10)}: the pre-QBR check emailed leadership the ${check.quarter.label} report.`,
  );
  log(
    `  Read the report and the emails (approvers' links included) at ${stack.description.api}/_local/mail/ui`,
  );
  log(
    '  Look at: the funnel from campaign to closed-won, partner-sourced vs influenced vs the CRO view (Initrode is filed under Marketing there, Globex as direct), ROI of MDF through the Initrode deal, SLA compliance (one default decision), the Stark drift finding, and COSELL_DRIFT on Globex (won but not Launched in ACE, and worth USD 144,000 there against 180,000).',
  );
}

/** The ACE opportunity the registration for `customer` was shared as, from its deal's ledger chain. */
async function coSellOpportunityOf(stack: RunningLocalStack, customer: string): Promise<string> {
  const chain = await readChain(stack.ledger.store, await registeredDeal(stack, customer));
  const shared = chain.find((entry) => entry.type === 'CoSellShared');
  if (shared?.type !== 'CoSellShared')
    throw new Error(
      `the demo expected ${customer} to be shared with AWS: is co-sell on in the policy (coSell.enabled)?`,
    );
  return shared.aceOpportunityId;
}

/**
 * AWS's side of the review, through the Partner Central stand-in's admin route (as an AWS
 * partner development manager would move it in ACE), then waits until Partner Central's event
 * has brought the new review status to the deal's ledger chain, as EventBridge delivers it.
 */
async function awsReview(
  stack: RunningLocalStack,
  customer: string,
  aceOpportunityId: string,
  action: 'in-review' | 'approve',
  reviewStatus: string,
  expectedCustomerSpend?: readonly Record<string, string>[],
): Promise<void> {
  const { endpoint, catalog } = stack.description.partnerCentral;
  const answer = await fetch(`${endpoint}/_admin/opportunities/${aceOpportunityId}/review`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      action,
      catalog,
      ...(expectedCustomerSpend === undefined ? {} : { expectedCustomerSpend }),
    }),
  });
  if (!answer.ok)
    throw new Error(
      `the Partner Central stand-in refused to ${action} ${aceOpportunityId}: ${answer.status} ${await answer.text()}`,
    );
  const dealId = await registeredDeal(stack, customer);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const chain = await readChain(stack.ledger.store, dealId);
    if (
      chain.some(
        (entry) =>
          entry.type === 'CoSellStatusChanged' &&
          entry.aceOpportunityId === aceOpportunityId &&
          entry.reviewStatus === reviewStatus,
      )
    )
      return;
    if (Date.now() > deadline)
      throw new Error(
        `Partner Central's event for ${aceOpportunityId} (${reviewStatus}) did not reach the ${customer} deal's ledger within 30 s`,
      );
    await sleep(100);
  }
}

/** Sets the partner's label on a deal in HubSpot as a user would: the new label, the old one removed. */
async function relabelPartner(
  stack: RunningLocalStack,
  dealId: string,
  partnerCompanyId: string,
  label: string,
) {
  const labels = (await crm(stack, 'GET', '/crm/v4/associations/companies/deals/labels')) as {
    results: { typeId: number; label: string | null; category: string }[];
  };
  const wanted = labels.results.find((type) => type.label?.toLowerCase().includes(label));
  if (wanted === undefined) throw new Error(`the portal has no "${label}" partner label`);
  const others = labels.results.filter(
    (type) => type.category === 'USER_DEFINED' && type.typeId !== wanted.typeId,
  );
  await crm(stack, 'PUT', `/crm/v4/objects/companies/${partnerCompanyId}/associations/deals/${dealId}`, [
    { associationCategory: wanted.category, associationTypeId: wanted.typeId },
  ]);
  await crm(stack, 'POST', '/crm/v4/associations/companies/deals/batch/labels/archive', {
    inputs: [
      {
        from: { id: partnerCompanyId },
        to: { id: dealId },
        types: others.map((type) => ({ associationCategory: type.category, associationTypeId: type.typeId })),
      },
    ],
  });
  await settle(stack);
}

/** Where a registration's workflow stands, from the states it went through. */
function describeProgress(visited: readonly string[]): string {
  const last = visited.at(-1);
  if (visited.includes('Approve automatically'))
    return 'approved at once, registered in HubSpot, partner told';
  if (visited.includes('Reject automatically')) return 'declined by a conflict rule, partner told why';
  if (last === 'Wait for approver decision') return 'waiting for the approver (approval email sent)';
  return last === undefined ? 'starting' : `at "${last}"`;
}
