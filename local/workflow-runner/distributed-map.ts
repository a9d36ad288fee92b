import { parse as parseCsv } from 'csv-parse/sync';
import { StateFailure, StatesRuntimeFailure } from './engine-errors.ts';
import { InvalidDefinitionError } from './errors.ts';
import type { LocalObjectStore } from './object-store.ts';

/**
 * A Map state in Distributed mode as the local runner runs it. `aws-local-stepfunctions` runs
 * inline Map states only (items from the state input, all-or-nothing, at most 40 at once), so
 * the state is handed to the package as a Task state whose Parameters let the package evaluate
 * every path and payload template of the Map (InputPath, ItemsPath, ItemReader.Parameters,
 * BatchInput, the …Path fields), and whose ResultSelector, ResultPath, OutputPath, Retry and Catch
 * stay the package's. The runner answers that Task with a Map Run: it reads the items, selects
 * and batches them, runs each child workflow execution with the package, counts failures against
 * the tolerated threshold and writes or returns the results — each step as the Step Functions
 * Developer Guide page cited beside it describes.
 */

type Json = Record<string, unknown>;

/** The resource of the Task state that stands in for a Distributed Map. */
export const distributedMapResource = 'arn:aws:states:::local:distributed-map';

/**
 * Step Functions' payload limit, and the most a batch may hold: "ItemBatcher (Map)" —
 * MaxInputBytesPerBatch is at most 256 KiB, and a batch without it stays under that limit.
 */
const maxPayloadBytes = 256 * 1024;

/**
 * "Using Map state in Distributed mode for large-scale parallel workloads in Step Functions": if
 * you don't specify MaxConcurrency, Step Functions runs 10,000 child workflow executions in parallel.
 */
const defaultMaxConcurrency = 10_000;

export interface DistributedMapSpec {
  readonly kind: 'distributedMap';
  readonly stateName: string;
  /** The ItemProcessor as the package runs it (its Task and Wait states answered by the runner). */
  readonly processor: Json;
  /** `ProcessorConfig.ExecutionType`: names the child executions as Step Functions does. */
  readonly executionType: 'STANDARD' | 'EXPRESS';
  readonly itemReader?:
    | { readonly resource: string; readonly readerConfig: Json; readonly itemsPointer: boolean }
    | undefined;
  /** The ItemSelector (or the older Parameters) template, evaluated per item with `$$.Map.Item`. */
  readonly itemSelector?: unknown;
  readonly batching: boolean;
  readonly resultWriter?: { readonly resource?: string | undefined; readonly writerConfig: Json } | undefined;
  /** What names the Map Run: the state's Label, else its name. */
  readonly label: string;
}

/** What the package hands the stand-in Task: the Map's input and its fields, evaluated. */
export interface DistributedMapInput {
  readonly input: unknown;
  readonly items?: unknown;
  readonly reader?: unknown;
  readonly maxItems?: unknown;
  readonly batchInput?: unknown;
  readonly maxItemsPerBatch?: unknown;
  readonly maxInputBytesPerBatch?: unknown;
  readonly maxConcurrency?: unknown;
  readonly toleratedFailurePercentage?: unknown;
  readonly toleratedFailureCount?: unknown;
  readonly writer?: unknown;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field given literally (`F`) or as a path into the Map's input (`FPath`), as a Parameters entry. */
function literalOrPath(state: Json, field: string, key: string): Json {
  if (field in state) return { [key]: state[field] };
  const path = state[`${field}Path`];
  return typeof path === 'string' ? { [`${key}.$`]: path } : {};
}

/**
 * Turns a Distributed Map state into the Task state the package runs and the spec the runner
 * answers it with. `compileProcessor` compiles the ItemProcessor like any other machine.
 */
export function compileDistributedMap(
  name: string,
  state: Json,
  processor: Json,
  compileProcessor: (machine: Json) => Json,
): { state: Json; spec: DistributedMapSpec } {
  const { ProcessorConfig: config, ...machine } = processor;
  const executionType = isObject(config) && config.ExecutionType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
  const reader = state.ItemReader;
  const batcher = state.ItemBatcher;
  const writer = state.ResultWriter;
  if (reader !== undefined && !isObject(reader)) {
    throw new InvalidDefinitionError(`Map state "${name}": ItemReader must be an object`);
  }
  if (batcher !== undefined && !isObject(batcher)) {
    throw new InvalidDefinitionError(`Map state "${name}": ItemBatcher must be an object`);
  }
  if (writer !== undefined && !isObject(writer)) {
    throw new InvalidDefinitionError(`Map state "${name}": ResultWriter must be an object`);
  }
  const readerConfig = isObject(reader?.ReaderConfig) ? reader.ReaderConfig : {};
  const parameters: Json = {
    'input.$': '$',
    // "ItemReader (Map)": with an ItemReader the dataset is read from S3, not from the input.
    ...(reader === undefined
      ? { 'items.$': typeof state.ItemsPath === 'string' ? state.ItemsPath : '$' }
      : {}),
    ...(reader === undefined ? {} : { reader: reader.Parameters ?? {} }),
    ...literalOrPath(readerConfig, 'MaxItems', 'maxItems'),
    ...(batcher === undefined ? {} : { batchInput: batcher.BatchInput ?? null }),
    ...(batcher === undefined ? {} : literalOrPath(batcher, 'MaxItemsPerBatch', 'maxItemsPerBatch')),
    ...(batcher === undefined
      ? {}
      : literalOrPath(batcher, 'MaxInputBytesPerBatch', 'maxInputBytesPerBatch')),
    ...literalOrPath(state, 'MaxConcurrency', 'maxConcurrency'),
    ...literalOrPath(state, 'ToleratedFailurePercentage', 'toleratedFailurePercentage'),
    ...literalOrPath(state, 'ToleratedFailureCount', 'toleratedFailureCount'),
    ...(writer?.Parameters === undefined ? {} : { writer: writer.Parameters }),
  };
  const kept = Object.fromEntries(
    Object.entries(state).filter(([key]) =>
      [
        'Comment',
        'InputPath',
        'ResultSelector',
        'ResultPath',
        'OutputPath',
        'Retry',
        'Catch',
        'Next',
        'End',
      ].includes(key),
    ),
  );
  const selector = state.ItemSelector ?? state.Parameters;
  return {
    state: { ...kept, Type: 'Task', Resource: distributedMapResource, Parameters: parameters },
    spec: {
      kind: 'distributedMap',
      stateName: name,
      processor: compileProcessor(machine),
      executionType,
      itemReader:
        reader === undefined
          ? undefined
          : {
              resource: String(reader.Resource),
              readerConfig,
              itemsPointer: 'ItemsPointer' in readerConfig,
            },
      itemSelector: selector,
      batching: batcher !== undefined,
      resultWriter:
        writer === undefined
          ? undefined
          : {
              resource: typeof writer.Resource === 'string' ? writer.Resource : undefined,
              writerConfig: isObject(writer.WriterConfig) ? writer.WriterConfig : {},
            },
      label: typeof state.Label === 'string' ? state.Label : name,
    },
  };
}

/** How one child workflow execution ended. */
export type ChildOutcome =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: string };

/** One child workflow execution as Step Functions reports it in a Map Run's results. */
interface ChildRecord {
  readonly ExecutionArn: string;
  readonly Name: string;
  readonly StateMachineArn: string;
  readonly Input: string;
  readonly InputDetails: { readonly Included: true };
  readonly StartDate: string;
  readonly StopDate: string;
  readonly Status: 'SUCCEEDED' | 'FAILED';
  readonly Output?: string;
  readonly OutputDetails?: { readonly Included: true };
  readonly Error?: string;
  readonly Cause?: string;
  readonly RedriveCount: 0;
  readonly RedriveStatus: 'NOT_REDRIVABLE';
}

export interface MapRunContext {
  readonly spec: DistributedMapSpec;
  readonly given: DistributedMapInput;
  readonly objects: LocalObjectStore | undefined;
  readonly mapRunArn: string;
  /** The ARN prefix of the child executions (`…:express:` or `…:execution:` with the Map Run's name). */
  readonly childArnPrefix: string;
  readonly childStateMachineArn: string;
  /** Evaluates the ItemSelector for one item (`$` the Map's input, `$$.Map.Item` the item). */
  select(template: unknown, item: unknown, index: number): Promise<unknown>;
  /** Runs one child workflow execution to its end. */
  runChild(input: unknown, name: string): Promise<ChildOutcome>;
  /** The parent execution closed: no more children start. */
  stopped(): boolean;
  now(): Date;
  /** Counts the runner's own work (reading, writing) as the execution being busy. */
  busy<T>(work: () => Promise<T>): Promise<T>;
}

function positiveInteger(
  value: unknown,
  field: string,
  options: { max?: number; zero?: boolean } = {},
): number {
  const min = options.zero ? 0 : 1;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > (options.max ?? Infinity)
  ) {
    const range = options.max === undefined ? `≥ ${min}` : `from ${min} to ${options.max}`;
    throw new StatesRuntimeFailure(`${field} must be a whole number ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * "ItemReader (Map)": reads the dataset from S3 — a JSON array (`InputType` JSON), JSON Lines
 * (JSONL) or a CSV file whose header is its first row or `CSVHeaders` (CSV), at most `MaxItems`
 * items. A missing object or one that is not such a file fails the state with
 * `States.ItemReaderFailed`.
 */
async function readItems(context: MapRunContext): Promise<unknown[]> {
  const { spec, given } = context;
  const reader = spec.itemReader;
  if (reader === undefined) {
    // "Map state in Distributed mode": without an ItemReader the items are the array ItemsPath selects.
    if (!Array.isArray(given.items)) {
      throw new StatesRuntimeFailure(`Map state "${spec.stateName}": ItemsPath must select an array`);
    }
    return given.items;
  }
  const fail = (why: string) => new StateFailure('States.ItemReaderFailed', `${spec.stateName}: ${why}`);
  if (reader.resource !== 'arn:aws:states:::s3:getObject') {
    throw fail(`the local runner reads items with s3:getObject only, not ${reader.resource}`);
  }
  if (reader.itemsPointer) throw fail('the local runner does not support ReaderConfig.ItemsPointer');
  const inputType = reader.readerConfig.InputType;
  if (inputType !== 'JSON' && inputType !== 'JSONL' && inputType !== 'CSV') {
    throw fail(`the local runner reads InputType JSON, JSONL and CSV, not ${String(inputType)}`);
  }
  const location = isObject(given.reader) ? given.reader : {};
  const { Bucket: bucket, Key: key } = location;
  if (typeof bucket !== 'string' || typeof key !== 'string') {
    throw fail('ItemReader.Parameters must give a Bucket and a Key');
  }
  if (context.objects === undefined) throw fail('the local runner was given no object store for S3');
  const body = await context.objects.getObject(bucket, key).catch((error: unknown) => {
    throw fail(`s3://${bucket}/${key} cannot be read: ${(error as Error).message}`);
  });
  if (body === undefined) throw fail(`s3://${bucket}/${key} does not exist (NoSuchKey)`);
  let items: unknown[];
  try {
    if (inputType === 'JSON') {
      const parsed: unknown = JSON.parse(body);
      if (!Array.isArray(parsed)) throw new Error('the JSON file is not an array');
      items = parsed;
    } else if (inputType === 'JSONL') {
      items = body
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown);
    } else {
      const given = reader.readerConfig.CSVHeaders;
      const headers =
        reader.readerConfig.CSVHeaderLocation === 'GIVEN' && Array.isArray(given) ? given.map(String) : true;
      items = parseCsv(body, { columns: headers, skip_empty_lines: true }) as unknown[];
    }
  } catch (error) {
    throw fail(`s3://${bucket}/${key} is not ${inputType}: ${(error as Error).message}`);
  }
  if (given.maxItems !== undefined) {
    items = items.slice(0, positiveInteger(given.maxItems, 'ReaderConfig.MaxItems', { max: 100_000_000 }));
  }
  return items;
}

/**
 * "ItemBatcher (Map)": items go into `Items` arrays of at most MaxItemsPerBatch items and at most
 * MaxInputBytesPerBatch bytes (256 KiB at most, and by default), counted over the whole child input
 * with its `BatchInput`; the byte limit cuts a batch short of its item count when both are given.
 */
function batch(items: readonly unknown[], context: MapRunContext): { input: unknown; items: number }[] {
  const { given, spec } = context;
  if (!spec.batching) return items.map((item) => ({ input: item, items: 1 }));
  if (given.maxItemsPerBatch === undefined && given.maxInputBytesPerBatch === undefined) {
    throw new StatesRuntimeFailure(
      `Map state "${spec.stateName}": ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path)`,
    );
  }
  const maxItems =
    given.maxItemsPerBatch === undefined
      ? Number.POSITIVE_INFINITY
      : positiveInteger(given.maxItemsPerBatch, 'ItemBatcher.MaxItemsPerBatch');
  const maxBytes =
    given.maxInputBytesPerBatch === undefined
      ? maxPayloadBytes
      : positiveInteger(given.maxInputBytesPerBatch, 'ItemBatcher.MaxInputBytesPerBatch', {
          max: maxPayloadBytes,
        });
  const withInput = (batchItems: unknown[]) =>
    given.batchInput === null || given.batchInput === undefined
      ? { Items: batchItems }
      : { BatchInput: given.batchInput, Items: batchItems };
  const batches: { input: unknown; items: number }[] = [];
  // The child input's size, counted as it grows: the empty batch, each item, a comma between two.
  const emptyBytes = bytesOf(withInput([]));
  let current: unknown[] = [];
  let currentBytes = emptyBytes;
  for (const item of items) {
    const itemBytes = bytesOf(item);
    if (itemBytes + emptyBytes > maxBytes) {
      throw new StatesRuntimeFailure(
        `Map state "${spec.stateName}": an item alone makes a batch input over ${maxBytes} bytes`,
      );
    }
    const grown = currentBytes + itemBytes + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && (current.length + 1 > maxItems || grown > maxBytes)) {
      batches.push({ input: withInput(current), items: current.length });
      current = [item];
      currentBytes = emptyBytes + itemBytes;
    } else {
      current.push(item);
      currentBytes = grown;
    }
  }
  if (current.length > 0) batches.push({ input: withInput(current), items: current.length });
  return batches;
}

/**
 * "Tolerated failure threshold for Distributed Map state": the Map Run fails with
 * `States.ExceedToleratedFailureThreshold` when the failed items exceed ToleratedFailureCount, or
 * their share of all items exceeds ToleratedFailurePercentage; with neither, the percentage is 0
 * and one failed child fails the Map Run. A failed batch counts all its items as failed.
 */
function threshold(context: MapRunContext, totalItems: number): (failedItems: number) => boolean {
  const { given } = context;
  const percentage =
    given.toleratedFailurePercentage === undefined
      ? undefined
      : (() => {
          const value = given.toleratedFailurePercentage;
          if (typeof value !== 'number' || value < 0 || value > 100) {
            throw new StatesRuntimeFailure(
              `ToleratedFailurePercentage must be a number from 0 to 100, got ${JSON.stringify(value)}`,
            );
          }
          return value;
        })();
  const count =
    given.toleratedFailureCount === undefined
      ? undefined
      : positiveInteger(given.toleratedFailureCount, 'ToleratedFailureCount', { zero: true });
  const tolerated = percentage === undefined && count === undefined ? 0 : percentage;
  return (failedItems) =>
    (tolerated !== undefined && totalItems > 0 && (failedItems / totalItems) * 100 > tolerated) ||
    (count !== undefined && failedItems > count);
}

/**
 * Runs one Map Run: reads and selects the items, batches them, runs the child workflow
 * executions at most MaxConcurrency at once, and answers the Map state's result.
 */
export async function runMapRun(context: MapRunContext): Promise<unknown> {
  const { spec, given } = context;
  const items = await context.busy(() => readItems(context));
  // "ItemSelector (Map)": each item is replaced by the ItemSelector evaluated with `$$.Map.Item`
  // (Index, Value) and the Map's input as `$`, before it is batched.
  const selected =
    spec.itemSelector === undefined
      ? items
      : await Promise.all(items.map((item, index) => context.select(spec.itemSelector, item, index)));
  const children = batch(selected, context);
  const maxConcurrency =
    given.maxConcurrency === undefined || given.maxConcurrency === 0
      ? defaultMaxConcurrency
      : positiveInteger(given.maxConcurrency, 'MaxConcurrency', { zero: true });
  const exceeded = threshold(context, items.length);

  const records: (ChildRecord | undefined)[] = new Array(children.length);
  const outputs: unknown[] = new Array(children.length);
  let failedItems = 0;
  let next = 0;
  const worker = async () => {
    for (;;) {
      if (context.stopped() || exceeded(failedItems)) return;
      const index = next++;
      const child = children[index];
      if (child === undefined) return;
      const name = `${String(index).padStart(8, '0')}`;
      const startDate = context.now().toISOString();
      const outcome = await context.runChild(child.input, name);
      const common = {
        ExecutionArn: `${context.childArnPrefix}:${name}`,
        Name: name,
        StateMachineArn: context.childStateMachineArn,
        Input: JSON.stringify(child.input),
        InputDetails: { Included: true },
        StartDate: startDate,
        StopDate: context.now().toISOString(),
        RedriveCount: 0,
        RedriveStatus: 'NOT_REDRIVABLE',
      } as const;
      if (outcome.status === 'SUCCEEDED') {
        records[index] = {
          ...common,
          Status: 'SUCCEEDED',
          Output: JSON.stringify(outcome.output),
          OutputDetails: { Included: true },
        };
        outputs[index] = outcome.output;
      } else {
        failedItems += child.items;
        records[index] = { ...common, Status: 'FAILED', Error: outcome.error, Cause: outcome.cause };
        // "ResultWriter (Map)": a failed child's result is returned unchanged (as with Transformation NONE).
        outputs[index] = records[index];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxConcurrency, children.length) }, worker));
  if (exceeded(failedItems)) {
    throw new StateFailure(
      'States.ExceedToleratedFailureThreshold',
      `Map state "${spec.stateName}": ${failedItems} of ${items.length} items failed, more than the tolerated failure threshold`,
    );
  }
  return context.busy(() => writeResults(context, records, outputs));
}

/**
 * "ResultWriter (Map)": without a ResultWriter the Map's result is the array of child outputs in
 * item order (Transformation COMPACT). WriterConfig chooses NONE (the execution records), COMPACT
 * or FLATTEN (array outputs flattened). With Resource `s3:putObject` and Parameters
 * `{Bucket, Prefix}` the records are exported to `<Prefix>/<Map Run id>/` — one file per status
 * (`SUCCEEDED_0.json`, `FAILED_0.json`) and a `manifest.json` listing them — and the Map's result
 * is `{MapRunArn, ResultWriterDetails: {Bucket, Key}}` naming the manifest.
 */
async function writeResults(
  context: MapRunContext,
  records: readonly (ChildRecord | undefined)[],
  outputs: readonly unknown[],
): Promise<unknown> {
  const { spec, given } = context;
  const writer = spec.resultWriter;
  const done = records.filter((record): record is ChildRecord => record !== undefined);
  if (writer === undefined) return outputs;
  const transformation =
    writer.writerConfig.Transformation ?? (given.writer === undefined ? 'COMPACT' : 'NONE');
  const outputType = writer.writerConfig.OutputType ?? 'JSON';
  const transform = (chosen: readonly ChildRecord[]): unknown[] => {
    if (transformation === 'NONE') return [...chosen];
    const values = chosen.map((record) =>
      record.Status === 'SUCCEEDED' && record.Output !== undefined
        ? (JSON.parse(record.Output) as unknown)
        : record,
    );
    return transformation === 'FLATTEN'
      ? values.flatMap((value) => (Array.isArray(value) ? value : [value]))
      : values;
  };
  if (given.writer === undefined) return transform(done);
  const fail = (why: string) => new StateFailure('States.ResultWriterFailed', `${spec.stateName}: ${why}`);
  if (writer.resource !== 'arn:aws:states:::s3:putObject') {
    throw fail(`the local runner writes results with s3:putObject only, not ${String(writer.resource)}`);
  }
  const location = isObject(given.writer) ? given.writer : {};
  const bucket = location.Bucket;
  const prefix = typeof location.Prefix === 'string' ? location.Prefix.replace(/\/+$/, '') : '';
  if (typeof bucket !== 'string') throw fail('ResultWriter.Parameters must give a Bucket');
  if (context.objects === undefined) throw fail('the local runner was given no object store for S3');
  const objects = context.objects;
  const mapRunId = context.mapRunArn.split(':').at(-1) ?? 'map-run';
  const folder = prefix === '' ? mapRunId : `${prefix}/${mapRunId}`;
  const extension = outputType === 'JSONL' ? 'jsonl' : 'json';
  const resultFiles: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  try {
    for (const status of ['SUCCEEDED', 'FAILED'] as const) {
      const chosen = done.filter((record) => record.Status === status);
      if (chosen.length === 0) continue;
      const values = status === 'FAILED' ? [...chosen] : transform(chosen);
      const body =
        outputType === 'JSONL'
          ? `${values.map((value) => JSON.stringify(value)).join('\n')}\n`
          : JSON.stringify(values);
      const key = `${folder}/${status}_0.${extension}`;
      await objects.putObject(bucket, key, body);
      resultFiles[status].push({ Key: key, Size: Buffer.byteLength(body) });
    }
    const manifestKey = `${folder}/manifest.json`;
    await objects.putObject(
      bucket,
      manifestKey,
      JSON.stringify({ DestinationBucket: bucket, MapRunArn: context.mapRunArn, ResultFiles: resultFiles }),
    );
    return { MapRunArn: context.mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: manifestKey } };
  } catch (error) {
    if (error instanceof StateFailure) throw error;
    throw fail((error as Error).message);
  }
}
