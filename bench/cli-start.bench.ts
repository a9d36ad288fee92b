/**
 * How long the `dealreg` CLI takes to start: `--help` and one cheap command (`policy validate` of
 * the example policy), each as a child process, as a user runs them. The floor is Node.js alone
 * (`node -e 0`), measured in the same run, interleaved with the others so that both see the same
 * machine. `bin/dealreg.js` is what `npx dealreg` runs (compile cache on); `bin/dealreg.ts` is the
 * CLI run directly, stripping its types every time. `npx dealreg --help` adds npm's own start-up.
 * `npx node -e 0` is npx's own floor: what npm costs before the CLI starts.
 * Goals: `--help` ≤ 0.4 s, `npx dealreg --help` ≤ 1 s (on an idle machine; figures printed, never asserted).
 * `node bench/cli-start.bench.ts [runs] [npx runs]`
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 15);
const npxRuns = Number(process.argv[3] ?? 3);
const root = join(import.meta.dirname, '..');
const node = process.execPath;

interface Case {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly runs: number;
}

const cases: readonly Case[] = [
  { name: 'node -e 0 (floor)', command: node, args: ['-e', '0'], runs },
  { name: 'dealreg --help (bin/dealreg.js)', command: node, args: ['bin/dealreg.js', '--help'], runs },
  { name: 'dealreg --help (bin/dealreg.ts)', command: node, args: ['bin/dealreg.ts', '--help'], runs },
  {
    name: 'dealreg policy validate policy/example-policy.json',
    command: node,
    args: ['bin/dealreg.js', 'policy', 'validate', 'policy/example-policy.json'],
    runs,
  },
  // npx's own start-up: npm starts and finds the command in node_modules/.bin (the project's own
  // `node`, or the `dealreg` link the postinstall script makes).
  { name: 'npx node -e 0 (npx floor)', command: 'npx', args: ['node', '-e', '0'], runs: npxRuns },
  { name: 'npx dealreg --help', command: 'npx', args: ['dealreg', '--help'], runs: npxRuns },
];

function once(run: Case): number {
  const started = performance.now();
  const result = spawnSync(run.command, run.args, { cwd: root, stdio: 'ignore' });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${run.name} exited with ${result.status ?? result.signal}`);
  return elapsed;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

// One warm-up of each: the compile cache and the npx cache are filled, the files are in the page cache.
for (const run of cases) once(run);
const load = loadavg()[0] ?? 0;
const times = new Map<string, number[]>(cases.map((run) => [run.name, []]));
for (let round = 0; round < runs; round += 1) {
  for (const run of cases) if (round < run.runs) times.get(run.name)?.push(once(run));
}

const floor = median(times.get(cases[0]?.name ?? '') ?? []);
console.log(`load average ${load.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end`);
console.log('| Command | Runs | Median | Min | Ratio to Node.js alone |');
console.log('|---|---|---|---|---|');
for (const run of cases) {
  const values = times.get(run.name) ?? [];
  const value = median(values);
  console.log(
    `| ${run.name} | ${values.length} | ${(value / 1000).toFixed(2)} s | ${(Math.min(...values) / 1000).toFixed(2)} s | ${(value / floor).toFixed(1)}× |`,
  );
}
const npxFloor = median(times.get('npx node -e 0 (npx floor)') ?? []);
const npxHelp = median(times.get('npx dealreg --help') ?? []);
console.log(
  `npx dealreg --help: ${(npxHelp / 1000).toFixed(2)} s, of which npx's own start-up ${(npxFloor / 1000).toFixed(2)} s and dealreg ${((npxHelp - npxFloor) / 1000).toFixed(2)} s (goal: ≤ 1 s in all on an idle machine)`,
);
