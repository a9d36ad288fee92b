/**
 * The registration workflow's cost per path and its latency, on the definition CDK deploys, run
 * by the local runner against DynamoDB Local and the HubSpot sandbox.
 *
 * For each path, from submission to the end of the execution (expiry included for approved
 * registrations): Step Functions state transitions (billed: states entered plus retries), Lambda
 * invocations (Task states entered), DynamoDB read and write request units (as DynamoDB Local
 * reports consumed capacity) and emails; from them the AWS list price per 1,000 registrations
 * (DESIGN §7, us-east-1) and for the mix 70% auto-approved, 25% one approval, 5% escalated.
 * Then the local latency from a submission to the approver's email, p50 and p95.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { approvalDeadlines } from '#domain/policy/approval-deadlines.ts';
import { documentClientOver } from '#handlers/wiring/document-client.ts';
import { approvalsTable, ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { createTables, localClientConfig } from '#local/create-tables.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import {
  startWorkflowUnderTest,
  type WorkflowUnderTest,
  workflowPeople,
} from '#test/integration/registration-workflow/workflow-harness.ts';
import { renderRegistrationWorkflowAsl } from '#workflows/registration-workflow.ts';

const prices = {
  perTransition: 0.025 / 1000,
  perLambdaRequest: 0.2 / 1_000_000,
  perGbSecond: 0.0000133334,
  perWriteUnit: 0.625 / 1_000_000,
  perReadUnit: 0.125 / 1_000_000,
  perEmail: 0.1 / 1000,
};
/** Billed duration assumed per step invocation: 512 MB for 100 ms (local steps take about as long). */
const gbSecondsPerInvocation = 0.5 * 0.1;

const dynamodb = await startDynamoDbLocal();
const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
const names = await createTables(
  dynamodb.endpoint,
  [registrationsTable, approvalsTable, ledgerTable],
  'bench-',
);
const tables = {
  client,
  documentClient: documentClientOver(client),
  tableName: (logical: string) => names[logical] ?? logical,
};
const capacity = { read: 0, write: 0 };
const harness: WorkflowUnderTest = await startWorkflowUnderTest({
  tables,
  onCapacity: (_command, units) => {
    capacity.read += units.read;
    capacity.write += units.write;
  },
});

const asl = renderRegistrationWorkflowAsl().workflow as { States: Record<string, { Type: string }> };
const taskStates = new Set(
  Object.entries(asl.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(([name]) => name),
);

interface PathFigures {
  readonly path: string;
  readonly transitions: number;
  readonly lambdaInvocations: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly emails: number;
}

let domainCounter = 0;

/** Runs one registration down a path to the end of its execution and counts what it cost. */
async function measure(
  path: string,
  amount: string,
  drive: (registrationId: string, requestedAt: Date) => Promise<void>,
): Promise<PathFigures> {
  domainCounter += 1;
  const domain = `bench-${domainCounter}.com`;
  const mailsBefore = (await harness.mailbox.list()).length;
  const before = { ...capacity };
  const requestedAt = harness.clock.now();
  const registrationId = await harness.submit({ customer_domain: domain, estimated_amount: amount });
  await drive(registrationId, requestedAt);
  const record = await harness.registration(registrationId);
  if (record.progress?.expiresAt !== undefined && record.progress.status === 'approved') {
    await harness.clock.setTo(new Date(new Date(record.progress.expiresAt).getTime() + 60_000).toISOString());
  }
  const status = harness.runner.describeExecution(registrationId).status;
  if (status !== 'SUCCEEDED') throw new Error(`${path}: the execution ended ${status}`);
  const visited = harness.runner.statesVisited(registrationId);
  return {
    path,
    transitions: harness.runner.stateTransitions(registrationId),
    lambdaInvocations: visited.filter((state) => taskStates.has(state)).length,
    readUnits: capacity.read - before.read,
    writeUnits: capacity.write - before.write,
    emails: (await harness.mailbox.list()).length - mailsBefore,
  };
}

const minuteAfter = (at: Date) => new Date(at.getTime() + 60_000).toISOString();
const approver = workflowPeople.channelManager;

const paths: PathFigures[] = [];
paths.push(await measure('auto-approve', '9000', async () => {}));
paths.push(
  await measure('one approval', '40000', async () => {
    await harness.decide(approver, 'approve');
  }),
);
paths.push(
  await measure('escalated', '40000', async (_id, requestedAt) => {
    const { escalationAt } = approvalDeadlines(harness.policy.policy, requestedAt);
    await harness.clock.setTo(minuteAfter(escalationAt));
    await harness.decide(workflowPeople.director, 'approve');
  }),
);
paths.push(
  await measure('rejected by approver', '40000', async () => {
    await harness.decide(approver, 'reject', { reason: 'Out of territory.' });
  }),
);
paths.push(
  await measure('policy default at final deadline', '40000', async (_id, requestedAt) => {
    const { finalAt } = approvalDeadlines(harness.policy.policy, requestedAt);
    await harness.clock.setTo(minuteAfter(finalAt));
  }),
);
paths.push(
  await measure('two levels', '300000', async () => {
    await harness.decide(approver, 'approve');
    await harness.decide(workflowPeople.vpSales, 'approve');
  }),
);

function costPer1000(figures: PathFigures): number {
  return (
    1000 *
    (figures.transitions * prices.perTransition +
      figures.lambdaInvocations * (prices.perLambdaRequest + gbSecondsPerInvocation * prices.perGbSecond) +
      figures.writeUnits * prices.perWriteUnit +
      figures.readUnits * prices.perReadUnit +
      figures.emails * prices.perEmail)
  );
}
function costWithoutEmail(figures: PathFigures): number {
  return costPer1000(figures) - 1000 * figures.emails * prices.perEmail;
}

console.log(
  '| path | transitions | Lambda invocations | read units | write units | emails | $ per 1,000 | of which email |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const figures of paths) {
  console.log(
    `| ${figures.path} | ${figures.transitions} | ${figures.lambdaInvocations} | ${figures.readUnits.toFixed(1)} | ${figures.writeUnits.toFixed(1)} | ${figures.emails} | ${costPer1000(figures).toFixed(3)} | ${(figures.emails * prices.perEmail * 1000).toFixed(3)} |`,
  );
}
const [auto, one, escalated] = paths;
if (auto === undefined || one === undefined || escalated === undefined) throw new Error('missing paths');
const mix = 0.7 * costPer1000(auto) + 0.25 * costPer1000(one) + 0.05 * costPer1000(escalated);
const mixWithoutEmail =
  0.7 * costWithoutEmail(auto) + 0.25 * costWithoutEmail(one) + 0.05 * costWithoutEmail(escalated);
console.log(
  `\nrealistic mix (70% auto, 25% one approval, 5% escalated): $${mix.toFixed(3)} per 1,000 registrations (goal ≤ $0.30); without email $${mixWithoutEmail.toFixed(3)}`,
);
console.log(`auto-approve transitions: ${auto.transitions} (goal ≤ 12)`);

// Latency: a submission needing approval until the approver's email is in the mailbox.
const samples = Number(process.env.BENCH_LATENCY_SAMPLES ?? 40);
const latencies: number[] = [];
for (let index = 0; index < samples; index += 1) {
  const domain = `latency-${index}.com`;
  const started = performance.now();
  await harness.submit({ customer_domain: domain, estimated_amount: '40000' });
  const mails = await harness.mails({ to: approver, template: 'approval-request' });
  if (!mails.some((mail) => mail.text.includes(domain))) throw new Error(`no approval email for ${domain}`);
  latencies.push(performance.now() - started);
}
latencies.sort((a, b) => a - b);
const percentile = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
console.log(
  `submission → approver email, ${samples} samples: p50 ${percentile(50).toFixed(0)} ms, p95 ${percentile(95).toFixed(0)} ms (goal p95 ≤ 2,000 ms)`,
);

await harness.close();
client.destroy();
await dynamodb.stop();
