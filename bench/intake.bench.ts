/**
 * Intake over HTTP on the local stack (signed submissions, concurrency 50) beside its floor: the
 * bare DynamoDB Local writes one submission needs (the conditional put of the inbox item and the
 * update recording the workflow start), issued directly at the same concurrency, in the same run.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { registrationsTable } from '#lib/tables/index.ts';
import { createTables, localClientConfig } from '#local/create-tables.ts';
import { deliver } from '#test/support/hubspot-webhook.ts';
import { startLocalStackProcess } from '#test/support/local-stack-process.ts';
import { formSubmission } from '#test/support/submissions.ts';

const submissions = Number(process.env.BENCH_SUBMISSIONS ?? 2000);
const concurrency = 50;

async function runPool(
  count: number,
  task: (index: number) => Promise<void>,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        const t0 = performance.now();
        await task(index);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const stack = await startLocalStackProcess(['--empty']);
try {
  const { description } = stack;
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient(localClientConfig(description.dynamodb.endpoint)),
  );
  const url = `${description.api}/hubspot/form-submissions`;
  const bodies = Array.from({ length: submissions }, (_, i) =>
    JSON.stringify(
      formSubmission({ submittedAt: Date.now(), fields: { customer_domain: `bench-${i}.example.com` } }),
    ),
  );

  const names = await createTables(description.dynamodb.endpoint, [registrationsTable], 'floor-');
  const floorTable = names.Registrations ?? '';
  const submitThroughIntake = async (body: string) => {
    const response = await deliver(url, body, { secret: description.webhookClientSecret });
    if (response.status !== 202)
      throw new Error(`intake answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };
  const bareWrites = async (body: string) => {
    const registrationId = `floor-${randomUUID()}`;
    await client.send(
      new PutCommand({
        TableName: floorTable,
        Item: { registrationId, submission: JSON.parse(body) as unknown, status: 'received' },
        ConditionExpression: 'attribute_not_exists(registrationId)',
      }),
    );
    await client.send(
      new UpdateCommand({
        TableName: floorTable,
        Key: { registrationId },
        UpdateExpression: 'SET workflowStartedAt = :at',
        ExpressionAttributeValues: { ':at': new Date().toISOString() },
      }),
    );
  };
  const fresh = (label: string, count: number) =>
    Array.from({ length: count }, (_, i) =>
      JSON.stringify(
        formSubmission({ submittedAt: Date.now(), fields: { customer_domain: `${label}-${i}.example.com` } }),
      ),
    );

  // DynamoDB Local's JIT and both connection pools warm up before anything is measured, and the
  // two paths alternate so neither gets the quieter half of the run.
  const warmup = fresh('warmup', 500);
  await runPool(warmup.length, (i) => submitThroughIntake(warmup[i] ?? ''));
  await runPool(warmup.length, (i) => bareWrites(warmup[i] ?? ''));
  let measured = warmup.length;
  const rounds: {
    intake: Awaited<ReturnType<typeof runPool>>;
    floor: Awaited<ReturnType<typeof runPool>>;
  }[] = [];
  for (let round = 0; round < 2; round += 1) {
    const half = Math.ceil(submissions / 2);
    const batch = bodies.slice(round * half, (round + 1) * half);
    const intake = await runPool(batch.length, (i) => submitThroughIntake(batch[i] ?? ''));
    const floor = await runPool(batch.length, (i) => bareWrites(batch[i] ?? ''));
    measured += batch.length;
    rounds.push({ intake, floor });
  }
  const combine = (runs: Awaited<ReturnType<typeof runPool>>[]) => ({
    seconds: runs.reduce((sum, run) => sum + run.seconds, 0),
    latencies: runs.flatMap((run) => run.latencies).sort((a, b) => a - b),
  });
  const intake = combine(rounds.map((round) => round.intake));
  const floor = combine(rounds.map((round) => round.floor));

  let stored = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: description.tables.Registrations,
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    stored += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  const executions = ((await (await fetch(`${description.api}/_local/executions`)).json()) as unknown[])
    .length;
  client.destroy();

  const intakeRate = submissions / intake.seconds;
  const floorRate = submissions / floor.seconds;
  console.log(`submissions: ${submissions}, concurrency: ${concurrency}`);
  console.log(
    `intake over HTTP:     ${intakeRate.toFixed(0)} submissions/s, p50 ${percentile(intake.latencies, 50).toFixed(1)} ms, p99 ${percentile(intake.latencies, 99).toFixed(1)} ms`,
  );
  console.log(
    `floor (bare writes):  ${floorRate.toFixed(0)} submissions/s, p50 ${percentile(floor.latencies, 50).toFixed(1)} ms, p99 ${percentile(floor.latencies, 99).toFixed(1)} ms`,
  );
  console.log(`ratio intake/floor:   ${(intakeRate / floorRate).toFixed(2)} (goal ≥ 0.50)`);
  console.log(`lost: ${measured - stored} registrations, ${measured - executions} workflow starts (goal 0)`);
} finally {
  await stack.interrupt();
}
