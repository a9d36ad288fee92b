import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import {
  DistributedMap,
  type DistributedMapProps,
  ItemBatcher,
  JsonPath,
  S3JsonItemReader,
  StateMachineType,
  Succeed,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '#local/clock.ts';
import { DirectoryBuckets, LocalWorkflowRunner } from '#local/workflow-runner/index.ts';
import { renderAsl } from '#workflows/render-asl.ts';
import { functionArn } from './machines.ts';

const bucketName = 'dealreg-local-reports';
let bucketDir: string;
let clock: VirtualClock;
let runner: LocalWorkflowRunner;
let calls: unknown[];
let running: number;
let mostAtOnce: number;
/** Items the worker fails on. */
let failing: Set<string>;

/**
 * A Distributed Map over an S3 JSON array, as CDK renders it: each child invokes the worker with
 * its whole input (a batch) and answers what it returns.
 */
function mapMachine(
  props: Partial<DistributedMapProps> | ((bucket: IBucket) => Partial<DistributedMapProps>) = {},
  options: { catchFailure?: boolean } = {},
) {
  return renderAsl((scope) => {
    const bucket = Bucket.fromBucketName(scope, 'Reports', bucketName);
    const map = new DistributedMap(scope, 'Read every item', {
      itemReader: new S3JsonItemReader({ bucket, key: JsonPath.stringAt('$.key') }),
      mapExecutionType: StateMachineType.EXPRESS,
      resultPath: '$.results',
      ...(typeof props === 'function' ? props(bucket) : props),
    });
    map.itemProcessor(
      new LambdaInvoke(scope, 'Work on the item', {
        lambdaFunction: LambdaFunction.fromFunctionArn(scope, 'Worker', functionArn('worker')),
        payloadResponseOnly: true,
      }),
    );
    if (options.catchFailure) {
      map.addCatch(new Succeed(scope, 'Too many failed'), {
        errors: ['States.ExceedToleratedFailureThreshold'],
      });
    }
    return map;
  });
}

async function putItems(key: string, items: unknown): Promise<void> {
  const path = join(bucketDir, key);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(items));
}

async function run(definition: Record<string, unknown>, input: unknown) {
  const { executionArn } = await runner.startExecution(definition, { input });
  await runner.settle();
  return runner.describeExecution(executionArn);
}

beforeEach(async () => {
  bucketDir = await mkdtemp(join(tmpdir(), 'dealreg-map-bucket-'));
  clock = new VirtualClock('2026-12-01T14:00:00Z');
  calls = [];
  running = 0;
  mostAtOnce = 0;
  failing = new Set();
  runner = new LocalWorkflowRunner({
    clock,
    objectStore: new DirectoryBuckets({ [bucketName]: bucketDir }),
    handlers: {
      [functionArn('worker')]: async (input) => {
        calls.push(input);
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        const items = (input as { Items?: string[] }).Items ?? [input as string];
        const bad = items.find((item) => failing.has(String(item)));
        if (bad !== undefined)
          throw Object.assign(new Error(`cannot read ${bad}`), { name: 'DealReadError' });
        return { read: items.length };
      },
    },
  });
});

afterEach(async () => {
  await runner.close();
});

const ids = (count: number) => Array.from({ length: count }, (_, index) => `deal-${index + 1}`);

describe('a Distributed Map reading its items from S3 (ItemReader)', () => {
  it('reads the JSON array at the key the input names and runs one child per item, outputs in item order', async () => {
    await putItems('runs/q4/deal-ids.json', ids(3));

    const execution = await run(mapMachine(), { key: 'runs/q4/deal-ids.json' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(calls).toHaveLength(3);
    expect(execution.output).toEqual({
      key: 'runs/q4/deal-ids.json',
      results: [{ read: 1 }, { read: 1 }, { read: 1 }],
    });
    const types = runner.getExecutionHistory(execution.executionArn).map((event) => event.type);
    expect(types.filter((type) => type.startsWith('MapRun'))).toEqual(['MapRunStarted', 'MapRunSucceeded']);
    expect(types.filter((type) => type === 'ChildExecutionSucceeded')).toHaveLength(3);
    expect(types.filter((type) => type === 'ExecutionSucceeded')).toHaveLength(1);
  });

  it('fails with States.ItemReaderFailed when the object does not exist', async () => {
    const execution = await run(mapMachine(), { key: 'runs/missing.json' });

    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'States.ItemReaderFailed',
      cause: expect.stringContaining('does not exist'),
    });
    expect(calls).toEqual([]);
  });

  it('stops at ReaderConfig.MaxItems', async () => {
    await putItems('items.json', ids(5));

    await run(
      mapMachine((bucket) => ({
        itemReader: new S3JsonItemReader({ bucket, key: 'items.json', maxItems: 2 }),
      })),
      {},
    );

    expect(calls).toEqual(['deal-1', 'deal-2']);
  });
});

describe('batches (ItemBatcher)', () => {
  it('hands each child an Items array of at most MaxItemsPerBatch, with the BatchInput evaluated once', async () => {
    await putItems('items.json', ids(250));

    const execution = await run(
      mapMachine({
        itemBatcher: new ItemBatcher({ maxItemsPerBatch: 100, batchInput: { 'run.$': '$.run' } }),
      }),
      { key: 'items.json', run: 'runs/2026-Q4/x' },
    );

    expect(execution.status).toBe('SUCCEEDED');
    expect(calls.map((call) => (call as { Items: string[] }).Items.length)).toEqual([100, 100, 50]);
    expect(calls[0]).toEqual({ BatchInput: { run: 'runs/2026-Q4/x' }, Items: ids(100) });
    expect(calls[2]).toMatchObject({ Items: ids(250).slice(200) });
  });

  it('cuts a batch short of MaxItemsPerBatch when its input would pass MaxInputBytesPerBatch', async () => {
    await putItems('items.json', ids(10));
    // {"Items":["deal-1","deal-2","deal-3"]} is 37 bytes; a fourth id makes it 46.
    const execution = await run(
      mapMachine({ itemBatcher: new ItemBatcher({ maxItemsPerBatch: 5, maxInputBytesPerBatch: 40 }) }),
      { key: 'items.json' },
    );

    expect(execution.status).toBe('SUCCEEDED');
    for (const call of calls) expect(Buffer.byteLength(JSON.stringify(call))).toBeLessThanOrEqual(40);
    expect(calls.flatMap((call) => (call as { Items: string[] }).Items)).toEqual(ids(10));
    expect((calls[0] as { Items: string[] }).Items).toEqual(['deal-1', 'deal-2', 'deal-3']);
  });
});

describe('concurrency, selection and failures', () => {
  it('runs at most MaxConcurrency children at once', async () => {
    await putItems('items.json', ids(12));

    await run(mapMachine({ maxConcurrency: 3 }), { key: 'items.json' });

    expect(calls).toHaveLength(12);
    expect(mostAtOnce).toBe(3);
  });

  it('gives each child what ItemSelector makes of its item, index and the Map input', async () => {
    await putItems('items.json', ids(2));

    await run(
      mapMachine({
        itemSelector: {
          'id.$': '$$.Map.Item.Value',
          'position.$': '$$.Map.Item.Index',
          'quarter.$': '$.quarter',
        },
      }),
      { key: 'items.json', quarter: '2026-Q4' },
    );

    expect(calls).toEqual([
      { id: 'deal-1', position: 0, quarter: '2026-Q4' },
      { id: 'deal-2', position: 1, quarter: '2026-Q4' },
    ]);
  });

  it('fails the state on the first failed child by default (tolerated failure 0%)', async () => {
    await putItems('items.json', ids(4));
    failing.add('deal-2');

    const execution = await run(mapMachine({ maxConcurrency: 1 }), { key: 'items.json' });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(calls).toEqual(['deal-1', 'deal-2']);
  });

  it('tolerates failed items up to ToleratedFailureCount and returns the failed child as its record', async () => {
    await putItems('items.json', ids(4));
    failing.add('deal-3');

    const execution = await run(mapMachine({ toleratedFailureCount: 1 }), { key: 'items.json' });

    expect(execution.status).toBe('SUCCEEDED');
    const results = (execution.output as { results: unknown[] }).results;
    expect(results[0]).toEqual({ read: 1 });
    expect(results[2]).toMatchObject({ Status: 'FAILED', Error: 'DealReadError', Input: '"deal-3"' });
  });

  it('counts every item of a failed batch against ToleratedFailurePercentage, and Catch takes the failure', async () => {
    await putItems('items.json', ids(10));
    failing.add('deal-1');

    const machine = mapMachine(
      { itemBatcher: new ItemBatcher({ maxItemsPerBatch: 2 }), toleratedFailurePercentage: 19 },
      { catchFailure: true },
    );
    const tolerant = mapMachine({
      itemBatcher: new ItemBatcher({ maxItemsPerBatch: 2 }),
      toleratedFailurePercentage: 20,
    });

    const caught = await run(machine, { key: 'items.json' });
    const tolerated = await run(tolerant, { key: 'items.json' });

    expect(caught.status).toBe('SUCCEEDED');
    expect(runner.statesVisited(caught.executionArn)).toContain('Too many failed');
    expect(tolerated.status).toBe('SUCCEEDED');
  });
});

describe('child executions on the virtual clock', () => {
  it('wait in their Wait states until the clock is moved, and the Map then goes on', async () => {
    await putItems('items.json', ids(2));
    const machine = renderAsl((scope) => {
      const bucket = Bucket.fromBucketName(scope, 'Reports', bucketName);
      const map = new DistributedMap(scope, 'Read every item', {
        itemReader: new S3JsonItemReader({ bucket, key: JsonPath.stringAt('$.key') }),
        resultPath: '$.results',
      });
      map.itemProcessor(
        new Wait(scope, 'Wait an hour', { time: WaitTime.duration(Duration.hours(1)) }).next(
          new LambdaInvoke(scope, 'Work on the item', {
            lambdaFunction: LambdaFunction.fromFunctionArn(scope, 'Worker', functionArn('worker')),
            payloadResponseOnly: true,
          }),
        ),
      );
      return map;
    });

    const { executionArn } = await runner.startExecution(machine, { input: { key: 'items.json' } });
    await runner.settle();
    const waiting = runner.describeExecution(executionArn).status;
    await clock.advance('PT1H');

    expect(waiting).toBe('RUNNING');
    expect(calls).toEqual(['deal-1', 'deal-2']);
    expect(runner.describeExecution(executionArn).status).toBe('SUCCEEDED');
  });
});

describe('results (ResultWriter)', () => {
  it('exports the child executions to S3 and answers the manifest location', async () => {
    await putItems('items.json', ids(3));
    failing.add('deal-2');

    // ResultWriterV2 renders only under a CDK feature flag; the field as the ASL documents it.
    const machine = mapMachine({ toleratedFailureCount: 1 });
    const states = machine.States as Record<string, Record<string, unknown>>;
    states['Read every item'] = {
      ...states['Read every item'],
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: bucketName, Prefix: 'map-results' },
      },
    };

    const execution = await run(machine, { key: 'items.json' });

    expect(execution.status).toBe('SUCCEEDED');
    const { results } = execution.output as {
      results: { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    };
    const { MapRunArn, ResultWriterDetails } = results;
    expect(MapRunArn).toMatch(/:mapRun:.+\/Read every item:/);
    expect(ResultWriterDetails.Bucket).toBe(bucketName);
    const manifest = JSON.parse(await readFile(join(bucketDir, ResultWriterDetails.Key), 'utf8'));
    expect(manifest.ResultFiles.SUCCEEDED).toHaveLength(1);
    expect(manifest.ResultFiles.FAILED).toHaveLength(1);
    const succeeded = JSON.parse(
      await readFile(join(bucketDir, manifest.ResultFiles.SUCCEEDED[0].Key), 'utf8'),
    );
    expect(succeeded.map((record: { Output: string }) => JSON.parse(record.Output))).toEqual([
      { read: 1 },
      { read: 1 },
    ]);
    const failed = JSON.parse(await readFile(join(bucketDir, manifest.ResultFiles.FAILED[0].Key), 'utf8'));
    expect(failed).toMatchObject([{ Status: 'FAILED', Error: 'DealReadError', Input: '"deal-2"' }]);
  });
});
