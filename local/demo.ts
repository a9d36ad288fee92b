import type { RunningLocalStack } from './stack.ts';

/** A partner's answers on the deal-registration form, by form field name. */
type FormAnswers = Record<string, string>;

function isoDate(daysFromNow: number): string {
  return new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10);
}

const demoRegistrations: readonly {
  readonly story: string;
  readonly answers: FormAnswers;
  readonly dropWebhook?: boolean;
}[] = [
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
      cloud_marketplace: 'azure',
    },
  },
];

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

/**
 * The demo story `npm start` tells: partners submit the HubSpot form, Dealreg takes each
 * submission in once, emails the partner whose form needs fixing, and the backfill recovers a
 * submission whose webhook was lost.
 */
export async function runDemo(stack: RunningLocalStack, log: (line: string) => void): Promise<void> {
  const { hubspot } = stack.description;
  log('Demo: partners submit the deal-registration form in the HubSpot sandbox.');
  for (const registration of demoRegistrations) {
    if (registration.dropWebhook) await sandboxAdmin(stack, 'PUT', '/_sandbox/webhooks', { dropRate: 1 });
    const response = await fetch(
      `${hubspot.url}/submissions/v3/integration/submit/${hubspot.portalId}/${hubspot.formGuid}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          fields: Object.entries(registration.answers).map(([name, value]) => ({ name, value })),
          context: { pageUri: 'https://partners.example.com/register-a-deal' },
        }),
      },
    );
    if (!response.ok) throw new Error(`the HubSpot form refused a demo submission: ${await response.text()}`);
    await sandboxAdmin(stack, 'POST', '/_sandbox/webhooks/flush');
    // The webhook is a trigger: the sweep it asked for takes the submission in.
    await stack.requestedSweepsDone();
    if (registration.dropWebhook) await sandboxAdmin(stack, 'PUT', '/_sandbox/webhooks', { dropRate: 0 });
    log(`  - ${registration.story}`);
  }
  const before = stack.runner.listExecutions().length;
  await stack.sweep();
  await stack.runner.settle();
  const after = stack.runner.listExecutions().length;
  const mails = await stack.mailbox.list();
  log(
    `  Registration workflows started: ${after} (${after - before} recovered by the backfill); emails sent: ${mails.length}.`,
  );
  for (const execution of stack.runner.listExecutions()) {
    const visited = stack.runner.statesVisited(execution.name);
    log(`  ${execution.name}: ${describeProgress(visited)}`);
  }
  log(`  Read the emails (approvers' links included) at ${stack.description.api}/_local/mail/ui`);
  log(
    `  Move the clock to see reminders, escalation and the SLA default: curl -X POST ${stack.description.api}/_local/clock -d '{"advance":"PT72H"}'`,
  );
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
