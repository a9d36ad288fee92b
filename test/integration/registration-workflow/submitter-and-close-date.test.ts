import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicyFile } from '#bin/commands/policy.ts';
import { approvalDeadlines } from '#domain/policy/approval-deadlines.ts';
import type { SandboxSeed } from '#local/hubspot-sandbox/index.ts';
import {
  startWorkflowUnderTest,
  type WorkflowUnderTest,
  workflowPeople,
  workflowSeed,
} from './workflow-harness.ts';

/** The workflow's portal with a partner that has other domains besides its own. */
const seed = {
  ...workflowSeed,
  companies: [
    ...(workflowSeed.companies ?? []),
    {
      id: '204',
      properties: {
        name: 'Adatum Partners',
        domain: 'adatum-partners.com',
        type: 'PARTNER',
        hs_additional_domains: 'adatum.co.uk;adatum-group.com',
      },
    },
  ],
} as SandboxSeed;

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest({ seed });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const small = { estimated_amount: '9000' };

describe('a registration submitted by someone who is not at the partner company', () => {
  it('goes to an approver, whose email names the submitter and the partner domain', async () => {
    const registrationId = await harness.submit({
      ...small,
      email: 'mallory@othercorp.com',
      customer_domain: 'woodgrove-bank.com',
    });

    const { progress } = await harness.registration(registrationId);
    const reason =
      "Submitted by mallory@othercorp.com, who is not at Northwind Partners' domain northwind-partners.com.";
    expect(progress).toMatchObject({
      status: 'in-review',
      verdict: {
        outcome: 'needs-review',
        ruleId: 'no-conflict',
        intakeFindings: [{ id: 'submitter-not-at-partner', reason }],
      },
    });
    expect(progress?.decision).toBeUndefined();
    const [request] = (
      await harness.mails({ to: workflowPeople.channelManager, template: 'approval-request' })
    ).filter((mail) => mail.text.includes('woodgrove-bank.com'));
    expect(request?.text).toContain(reason);
  });

  it('from a free email address goes to an approver too', async () => {
    const registrationId = await harness.submit({
      ...small,
      email: 'pat.partner@gmail.com',
      customer_domain: 'litware.com',
    });

    const { progress } = await harness.registration(registrationId);
    expect(progress?.status).toBe('in-review');
    expect(progress?.verdict?.intakeFindings?.[0]?.reason).toBe(
      "Submitted by pat.partner@gmail.com, a free email address, not one at Northwind Partners' domain northwind-partners.com.",
    );
  });

  it('is auto-approved when the address is at one of the partner company’s other domains or a host of its own', async () => {
    const byOtherDomain = await harness.submit({
      ...small,
      email: 'ann@adatum.co.uk',
      partner_company_domain: 'adatum-partners.com',
      customer_domain: 'proseware.com',
    });
    const byHost = await harness.submit({
      ...small,
      email: 'pat@eu.northwind-partners.com',
      customer_domain: 'fourthcoffee.com',
    });

    for (const registrationId of [byOtherDomain, byHost]) {
      const { progress } = await harness.registration(registrationId);
      expect(progress).toMatchObject({ status: 'approved', verdict: { outcome: 'clear' } });
      expect(progress?.verdict?.intakeFindings).toBeUndefined();
    }
  });
});

describe('under a policy that lets others register for the partner', () => {
  let distributorProgram: WorkflowUnderTest;

  beforeAll(async () => {
    const policy = JSON.parse(await readFile(defaultPolicyFile, 'utf8')) as { intake: object };
    distributorProgram = await startWorkflowUnderTest({
      seed,
      policy: { ...policy, intake: { ...policy.intake, submitterMustBeAtPartner: false } },
    });
  }, 60_000);

  afterAll(async () => {
    await distributorProgram?.close();
  });

  it('a registration submitted from another company is auto-approved', async () => {
    const registrationId = await distributorProgram.submit({
      ...small,
      email: 'dee@distributor.example',
      customer_domain: 'woodgrove-bank.com',
    });

    const { progress } = await distributorProgram.registration(registrationId);
    expect(progress).toMatchObject({ status: 'approved', verdict: { outcome: 'clear' } });
  });
});

describe('a registration whose expected close date is far ahead', () => {
  it('goes to an approver when it is more than 24 months after receipt, and is auto-approved when it is not', async () => {
    const far = await harness.submit({
      ...small,
      customer_domain: 'wingtiptoys.com',
      expected_close_date: '2099-01-01',
    });
    const atLimit = await harness.submit({
      ...small,
      customer_domain: 'tailspintoys.com',
      expected_close_date: '2028-11-23',
    });

    const farProgress = (await harness.registration(far)).progress;
    expect(farProgress).toMatchObject({
      status: 'in-review',
      verdict: {
        outcome: 'needs-review',
        intakeFindings: [
          {
            id: 'close-date-beyond-horizon',
            reason:
              "The expected close date 2099-01-01 is more than 24 months after the registration was received (2026-11-23), past the policy's latest plausible close date of 2028-11-23.",
          },
        ],
      },
    });
    expect((await harness.registration(atLimit)).progress).toMatchObject({ status: 'approved' });
  });
});

describe('a registration sent to an approver by what intake found', () => {
  it('is rejected, not approved, when nobody decides by the final deadline, and the approver is told so', async () => {
    const registrationId = await harness.submit({
      ...small,
      email: 'mallory@othercorp.com',
      customer_domain: 'nobody-checks.com',
    });
    const requestedAt = harness.clock.now();
    const [request] = (
      await harness.mails({ to: workflowPeople.channelManager, template: 'approval-request' })
    ).filter((mail) => mail.text.includes('nobody-checks.com'));
    expect(request?.text).toContain("the policy's default applies: rejected.");
    const { finalAt } = approvalDeadlines(harness.policy.policy, requestedAt);

    await harness.clock.setTo(new Date(finalAt.getTime() + 60_000).toISOString());

    const { progress } = await harness.registration(registrationId);
    expect(progress).toMatchObject({
      status: 'declined',
      decision: { outcome: 'reject', channel: 'sla-default' },
    });
  }, 120_000);
});
