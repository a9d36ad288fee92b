import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '#local/create-tables.ts';
import { deliver } from '#test/support/hubspot-webhook.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';
import { scanStoredRegistrations } from '#test/support/stored-registrations.ts';
import { formSubmission } from '#test/support/submissions.ts';

let stack: LocalStackProcess;

beforeAll(async () => {
  // The example policy reads the partner's domain from the form field `partner_website` and the
  // marketplace from `marketplace` (its `formFieldMapping`), as a deployed stack with it does.
  stack = await startLocalStackProcess(['--empty', '--policy', 'policy/example-policy.json']);
}, 90_000);

afterAll(async () => {
  if (stack.child.exitCode === null) await stack.interrupt();
});

describe('dealreg local with a policy that maps form fields', () => {
  it("reads each submission with the policy's form field mapping", async () => {
    // prepare
    const submission = formSubmission({
      submittedAt: Date.now(),
      fields: {
        partner_company_domain: undefined,
        partner_website: 'northwind-partners.com',
        cloud_marketplace: undefined,
        marketplace: 'aws',
        customer_domain: 'mapped-fields.example.com',
      },
    });
    // act
    const response = await deliver(
      `${stack.description.api}/hubspot/form-submissions`,
      JSON.stringify(submission),
      {
        secret: stack.description.webhookClientSecret,
      },
    );
    // assess
    expect(response.status).toBe(202);
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient(localClientConfig(stack.description.dynamodb.endpoint)),
    );
    try {
      const stored = (
        await scanStoredRegistrations(client, stack.description.tables.Registrations ?? '')
      ).find((registration) => registration.conversionId === submission.conversionId);
      expect(stored?.status).not.toBe('rejected');
      expect(stored?.details?.partnerDomain).toBe('northwind-partners.com');
      expect(stored?.details?.cloudMarketplace).toBe('aws');
    } finally {
      client.destroy();
    }
  }, 60_000);
});
