/**
 * Cold start of every Lambda bundle. The app is synthesised with bundling, so each function is
 * bundled by its own construct exactly as `cdk synth` bundles it (same esbuild options, baked
 * policy); an empty handler is bundled in the same run by the same `DealregFunction` construct
 * as the floor.
 *
 * Each sample starts a fresh `node` process with the function's environment (references resolved
 * as CloudFormation would, AWS endpoints on a local stand-in answering `GetSecretValue`) that
 * imports the bundle and exits. Samples go round-robin over the functions so a change in the
 * machine's load weighs on all alike. Prints per function the bundle size and the medians of:
 * the process's wall time (spawn → handler imported → exit: what Lambda's init duration covers)
 * and its ratio to the empty handler's (goal ≤ 1.5×); the process's CPU time up to the import,
 * steadier than wall time on a shared machine, and its ratio; the import alone.
 * `BENCH_SAMPLES` (default 9) changes the number of samples per function.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { DealregFunction } from '#lib/constructs/dealreg-function.ts';
import { synthesizeDealregApp } from '#test/infra/synthesize.ts';
import {
  functionsOfStack,
  importBundle,
  lambdaRuntimeEnvironment,
  type SynthesizedFunction,
  startAwsStandIn,
  synthesizedFunctions,
} from '#test/infra/synthesized-bundles.ts';

const samples = Number(process.env.BENCH_SAMPLES ?? 9);

function emptyHandlerFunction(): SynthesizedFunction {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'dealreg-bench-')) });
  const stack = new Stack(app, 'ColdStartFloor', { env: { region: 'eu-west-1' } });
  new DealregFunction(stack, 'EmptyHandler', {
    entry: join(import.meta.dirname, 'empty-handler.ts'),
    description: 'Empty handler',
    serviceName: 'dealreg-bench',
    alarmTopic: new Topic(stack, 'Alarms'),
  });
  app.synth();
  const [fn] = functionsOfStack(stack, Template.fromStack(stack));
  if (fn === undefined) throw new Error('the empty handler was not synthesised');
  return fn;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const buildStarted = performance.now();
const floor = emptyHandlerFunction();
const functions = [floor, ...synthesizedFunctions(synthesizeDealregApp({ bundle: true }))];
console.log(
  `bundled ${functions.length} functions in ${((performance.now() - buildStarted) / 1000).toFixed(0)} s; ${samples} samples each, load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}`,
);

const aws = await startAwsStandIn();
const processMs = new Map<string, number[]>(functions.map((fn) => [fn.name, []]));
const importMs = new Map<string, number[]>(functions.map((fn) => [fn.name, []]));
const cpuMs = new Map<string, number[]>(functions.map((fn) => [fn.name, []]));
try {
  for (let sample = 0; sample < samples; sample += 1) {
    for (const fn of functions) {
      const outcome = await importBundle(
        fn.bundle,
        fn.handlerExport,
        lambdaRuntimeEnvironment(fn, aws.endpoint),
      );
      if (!outcome.imported || outcome.handlerType !== 'function') {
        throw new Error(
          `${fn.name} did not start: ${outcome.imported ? outcome.handlerType : outcome.error}`,
        );
      }
      processMs.get(fn.name)?.push(outcome.processMs);
      importMs.get(fn.name)?.push(outcome.importMs);
      cpuMs.get(fn.name)?.push(outcome.cpuMs);
    }
  }
} finally {
  await aws.close();
}

const floorProcess = median(processMs.get(floor.name) ?? []);
const floorCpu = median(cpuMs.get(floor.name) ?? []);
console.log(
  `load average after the samples: ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}\n`,
);
console.log(
  '| Function | Bundle | Source map | Init, wall (process) | Ratio (goal ≤ 1.5×) | Init, CPU | Ratio | Import alone, wall |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const fn of functions) {
  const wall = median(processMs.get(fn.name) ?? []);
  const cpu = median(cpuMs.get(fn.name) ?? []);
  const imported = median(importMs.get(fn.name) ?? []);
  const kb = (path: string) => {
    try {
      return `${(statSync(path).size / 1024).toFixed(0)} KB`;
    } catch {
      return '—';
    }
  };
  const name = fn === floor ? 'empty handler (floor)' : fn.name.split('/').slice(1).join('/');
  console.log(
    `| ${name} | ${kb(fn.bundle)} | ${kb(`${fn.bundle}.map`)} | ${wall.toFixed(0)} ms | ${(wall / floorProcess).toFixed(2)}× | ${cpu.toFixed(0)} ms | ${(cpu / floorCpu).toFixed(2)}× | ${imported.toFixed(0)} ms |`,
  );
}
