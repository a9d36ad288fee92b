/**
 * Intake over HTTP on the local stack (signed submissions, concurrency 50) beside its floor: the
 * bare DynamoDB Local write one submission needs (the conditional put of the inbox item; starting
 * the workflow writes nothing), issued directly at the same concurrency, in the same run.
 * Every submission is for a customer of its own registrable domain; the registration workflow
 * runs in the same process as the intake, as `dealreg local` runs it.
 *
 * First, the trigger path as HubSpot drives it: the form is submitted in the HubSpot sandbox, whose
 * contact-based workflow posts the contact (a trigger); the intake stores it and asks for a sweep,
 * which reads the submission from the Forms API and stores the registration. Each submission is
 * timed from the form's submit request until its registration is stored, one at a time and in
 * bursts of `BENCH_TRIGGER_BURST` (goal: p95 ≤ 2 s). `BENCH_TRIGGER_ONLY=1` runs this part alone.
 *
 * Then one customer: registrations for the same customer domain are added until there are 1, 100
 * and 1,000 (`BENCH_SAME_CUSTOMER`), and at each size single submissions are timed from the
 * request until the workflow has decided them — the conflict check reads the other
 * registrations of the customer, so this is where their number would show.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  progressItemKey,
  progressItemSuffix,
  verdictItemSuffix,
} from '#adapters/dynamodb/registration-items.ts';
import { registrationIdFor } from '#domain/registration-id.ts';
import { registrationsTable } from '#lib/tables/index.ts';
import { createTables, localClientConfig } from '#local/create-tables.ts';
import { deliver } from '#test/support/hubspot-webhook.ts';
import { startLocalStackProcess } from '#test/support/local-stack-process.ts';
import { formSubmission, registrationValues } from '#test/support/submissions.ts';

const submissions = Number(process.env.BENCH_SUBMISSIONS ?? 2000);
const sameCustomerSizes = (process.env.BENCH_SAME_CUSTOMER ?? '1,100,1000').split(',').map(Number);
const samplesPerSize = 20;
const triggerSamples = Number(process.env.BENCH_TRIGGER_SAMPLES ?? 40);
const triggerBurst = Number(process.env.BENCH_TRIGGER_BURST ?? 20);
const triggerOnly = process.env.BENCH_TRIGGER_ONLY === '1';
const concurrency = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/**
 * A request of the bench's own, sent again once when the server closed the kept-alive connection
 * it went out on (ECONNRESET): Node.js closes an idle connection after its keep-alive timeout, and
 * on a loaded machine the client can reuse it just as that happens. Every request here may be
 * repeated: deliveries are idempotent by their conversion id, the rest are reads.
 */
async function again<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET') throw error;
    return request();
  }
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
      formSubmission({ submittedAt: Date.now(), fields: { customer_domain: `bench-${i}.com` } }),
    ),
  );

  const registrations = description.tables.Registrations ?? '';

  // The trigger path: submit → sandbox workflow webhook (the contact) → sweep → stored registration.
  const { hubspot } = description;
  let triggerIndex = 0;
  /** Submits the form as a partner's browser would; answers the registration id its submission gets. */
  const submitForm = async (): Promise<string> => {
    triggerIndex += 1;
    const tag = `trigger-${triggerIndex}`;
    const answer = await fetch(
      `${hubspot.url}/submissions/v3/integration/submit/${hubspot.portalId}/${hubspot.formGuid}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          fields: registrationValues({ customer_domain: `${tag}.com`, customer_company_name: tag }),
        }),
      },
    );
    if (!answer.ok) throw new Error(`the sandbox form answered ${answer.status}: ${await answer.text()}`);
    // The conversion id, from the Forms API (newest first), names the registration it becomes.
    const listed = (await (
      await fetch(`${hubspot.url}/form-integrations/v1/submissions/forms/${hubspot.formGuid}?limit=50`, {
        headers: { authorization: `Bearer ${hubspot.accessToken}` },
      })
    ).json()) as { results: { conversionId: string; values: { name: string; value: string }[] }[] };
    const ours = listed.results.find((result) =>
      result.values.some((field) => field.name === 'customer_company_name' && field.value === tag),
    );
    if (ours === undefined) throw new Error(`the Forms API does not list ${tag}`);
    return registrationIdFor(ours.conversionId);
  };
  const storedWithin = async (registrationId: string, started: number): Promise<number> => {
    for (;;) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: registrations,
          Key: { registrationId },
          ProjectionExpression: 'registrationId',
        }),
      );
      if (Item !== undefined) return performance.now() - started;
      if (performance.now() - started > 60_000) throw new Error(`${registrationId} not stored within 60 s`);
      await sleep(5);
    }
  };
  const timeTrigger = async (): Promise<number> => {
    const started = performance.now();
    return storedWithin(await submitForm(), started);
  };
  await timeTrigger(); // warm-up
  const triggerOneAtATime: number[] = [];
  for (let sample = 0; sample < triggerSamples; sample += 1) triggerOneAtATime.push(await timeTrigger());
  const triggerBursts: number[] = [];
  for (let burst = 0; burst < 2; burst += 1) {
    triggerBursts.push(...(await Promise.all(Array.from({ length: triggerBurst }, () => timeTrigger()))));
  }
  triggerOneAtATime.sort((a, b) => a - b);
  triggerBursts.sort((a, b) => a - b);
  const triggerAll = [...triggerOneAtATime, ...triggerBursts].sort((a, b) => a - b);
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  console.log('trigger path, form submit → registration stored (goal p95 ≤ 2 s):');
  console.log(
    `  one at a time (${triggerOneAtATime.length}): p50 ${ms(percentile(triggerOneAtATime, 50))}, p95 ${ms(percentile(triggerOneAtATime, 95))}, max ${ms(percentile(triggerOneAtATime, 100))}`,
  );
  console.log(
    `  bursts of ${triggerBurst} (${triggerBursts.length}): p50 ${ms(percentile(triggerBursts, 50))}, p95 ${ms(percentile(triggerBursts, 95))}, max ${ms(percentile(triggerBursts, 100))}`,
  );
  console.log(`  all (${triggerAll.length}): p95 ${ms(percentile(triggerAll, 95))}`);
  // Beside it, in the same run: a submission posted directly (the path that needs no sweep), one
  // at a time, timed to its stored registration, so the trigger path's cost reads as a ratio.
  const direct: number[] = [];
  for (let sample = 0; sample < triggerSamples; sample += 1) {
    const body = JSON.stringify(
      formSubmission({ submittedAt: Date.now(), fields: { customer_domain: `direct-${sample}.com` } }),
    );
    const started = performance.now();
    const answer = await deliver(`${description.api}/hubspot/form-submissions`, body, {
      secret: description.webhookClientSecret,
    });
    const { registrationId } = (await answer.json()) as { registrationId: string };
    direct.push(await storedWithin(registrationId, started));
  }
  direct.sort((a, b) => a - b);
  console.log(
    `  direct submission, one at a time (${direct.length}): p50 ${ms(percentile(direct, 50))}, p95 ${ms(percentile(direct, 95))}; trigger/direct p50 ${(percentile(triggerOneAtATime, 50) / percentile(direct, 50)).toFixed(1)}×`,
  );

  // BENCH_TRIGGER_ONLY=1 measures the trigger path alone.
  if (!triggerOnly) {
    const names = await createTables(description.dynamodb.endpoint, [registrationsTable], 'floor-');
    const floorTable = names.Registrations ?? '';
    const submitThroughIntake = async (body: string): Promise<string> => {
      const response = await again(() => deliver(url, body, { secret: description.webhookClientSecret }));
      if (response.status !== 202)
        throw new Error(`intake answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { registrationId: string }).registrationId;
    };
    /**
     * Waits until the workflow has decided the registration (its progress carries a decision);
     * false when its execution failed instead.
     */
    const decided = async (registrationId: string): Promise<boolean> => {
      for (let poll = 0; ; poll += 1) {
        const { Item } = await client.send(
          new GetCommand({
            TableName: registrations,
            // The workflow records its progress on the registration's progress item.
            Key: progressItemKey(registrationId),
            ProjectionExpression: 'progress.decision.outcome',
          }),
        );
        if ((Item as { progress?: { decision?: unknown } } | undefined)?.progress?.decision !== undefined)
          return true;
        if (poll % 100 === 99) {
          const execution = (await (
            await again(() => fetch(`${description.api}/_local/executions/${registrationId}`))
          ).json()) as { status?: string };
          if (execution.status === 'FAILED') return false;
        }
        await sleep(5);
      }
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
    };
    const fresh = (label: string, count: number) =>
      Array.from({ length: count }, (_, i) =>
        JSON.stringify(
          formSubmission({ submittedAt: Date.now(), fields: { customer_domain: `${label}-${i}.com` } }),
        ),
      );

    // DynamoDB Local's JIT and both connection pools warm up before anything is measured, and the
    // two paths alternate so neither gets the quieter half of the run.
    const warmup = fresh('warmup', 500);
    await runPool(warmup.length, async (i) => {
      await submitThroughIntake(warmup[i] ?? '');
    });
    await runPool(warmup.length, (i) => bareWrites(warmup[i] ?? ''));
    // The trigger path's registrations are in the table too.
    let measured = warmup.length + 1 + triggerAll.length + triggerSamples;
    const rounds: {
      intake: Awaited<ReturnType<typeof runPool>>;
      floor: Awaited<ReturnType<typeof runPool>>;
    }[] = [];
    for (let round = 0; round < 2; round += 1) {
      const half = Math.ceil(submissions / 2);
      const batch = bodies.slice(round * half, (round + 1) * half);
      const intake = await runPool(batch.length, async (i) => {
        await submitThroughIntake(batch[i] ?? '');
      });
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
    // Told at once: the phases after it can take long.
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
    const drainStarted = performance.now();

    // One customer: the registrations of its domain grow, each submission is timed to its decision.
    const sameCustomer = (i: number) =>
      JSON.stringify(
        formSubmission({
          submittedAt: Date.now(),
          fields: { customer_domain: 'one-customer.com', customer_company_name: `One Customer ${i}` },
        }),
      );
    /** Waits until no workflow is running, so one phase's backlog does not slow the next. */
    const settled = async () => {
      for (;;) {
        const executions = (await (
          await again(() => fetch(`${description.api}/_local/executions`))
        ).json()) as {
          status: string;
        }[];
        if (!executions.some((execution) => execution.status === 'RUNNING')) return;
        await sleep(500);
      }
    };
    await settled();
    console.log(
      `workflows of the measured submissions all closed ${((performance.now() - drainStarted) / 1000).toFixed(0)} s after the last one`,
    );
    let held = 0;
    let seedRetries = 0;
    const sizes: { size: number; latencies: number[]; failed: number; indexRows: number }[] = [];
    /** The customer's rows in the customer-domain index: what each of its conflict checks reads. */
    const customerIndexRows = async () => {
      let rows = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: registrations,
            IndexName: 'byCustomerReceipt',
            KeyConditionExpression: 'customerDomain = :domain',
            ExpressionAttributeValues: { ':domain': 'one-customer.com' },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        );
        rows += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return rows;
    };
    for (const size of sameCustomerSizes) {
      const toAdd = Math.max(0, size - held);
      await runPool(toAdd, async (i) => {
        const body = sameCustomer(held + i);
        // Growing the customer is the set-up, not the measure: an answer the intake says is safe
        // to repeat is repeated, and counted.
        for (let attempt = 1; ; attempt += 1) {
          try {
            await submitThroughIntake(body);
            return;
          } catch (error) {
            if (attempt === 5) throw error;
            seedRetries += 1;
            await sleep(1000);
          }
        }
      });
      held += toAdd;
      await settled();
      const latencies: number[] = [];
      let failed = 0;
      for (let sample = 0; sample < samplesPerSize; sample += 1) {
        const started = performance.now();
        if (await decided(await submitThroughIntake(sameCustomer(held + sample))))
          latencies.push(performance.now() - started);
        else failed += 1;
      }
      sizes.push({
        size: held,
        latencies: latencies.sort((a, b) => a - b),
        failed,
        indexRows: await customerIndexRows(),
      });
      held += samplesPerSize;
    }
    measured += held;

    let stored = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: description.tables.Registrations,
          Select: 'COUNT',
          // Registrations, not the progress and verdict items kept beside them (`<id>#progress`,
          // `<id>#verdict`).
          FilterExpression:
            'NOT contains(registrationId, :progress) AND NOT contains(registrationId, :verdict)',
          ExpressionAttributeValues: { ':progress': progressItemSuffix, ':verdict': verdictItemSuffix },
          ExclusiveStartKey: startKey,
        }),
      );
      stored += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    const allExecutions = (await (
      await again(() => fetch(`${description.api}/_local/executions`))
    ).json()) as {
      status: string;
      error?: string;
    }[];
    const executions = allExecutions.length;
    const failedExecutions = allExecutions.filter((execution) => execution.status === 'FAILED').length;
    const failedBy = new Map<string, number>();
    for (const execution of allExecutions) {
      if (execution.status !== 'FAILED') continue;
      const error = execution.error ?? '(no error)';
      failedBy.set(error, (failedBy.get(error) ?? 0) + 1);
    }
    client.destroy();

    console.log(
      `lost: ${measured - stored} registrations, ${measured - executions} workflow starts (goal 0)`,
    );
    console.log(
      `workflow executions failed: ${failedExecutions} of ${executions}${
        failedBy.size === 0
          ? ''
          : ` (${[...failedBy].map(([error, count]) => `${count} ${error}`).join(', ')})`
      }`,
    );
    console.log(`one customer, submission → decision, one at a time (set-up retries: ${seedRetries}):`);
    for (const { size, latencies, failed, indexRows } of sizes) {
      console.log(
        `  ${String(size).padStart(5)} registrations of the customer already: p50 ${percentile(latencies, 50).toFixed(1)} ms, max ${percentile(latencies, 100).toFixed(1)} ms (${latencies.length} samples, ${failed} executions failed); rows the check reads after the samples: ${indexRows}`,
      );
    }
  }
} catch (error) {
  // What the local stack said last tells whether it failed or only a request did.
  console.error(`dealreg local, last output:\n${stack.output().slice(-3000)}`);
  throw error;
} finally {
  await stack.interrupt();
}
