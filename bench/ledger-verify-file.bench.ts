/**
 * Verify's own work — canonicalise, hash, link and gap checks — over 1,000,000 entries streamed
 * from a JSON-lines file, with no database in the way. The file is generated first (in this
 * process); verification runs in a fresh child process so its peak RSS is its own.
 * Goals: ≥ 200,000 entries/s and peak RSS ≤ 256 MB.
 * `node bench/ledger-verify-file.bench.ts [entries]`
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChainHead, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { verifyJsonLines } from '#use-cases/ledger-verify.ts';

const PER_CHAIN = 10;

async function generate(path: string, total: number): Promise<void> {
  const out = createWriteStream(path);
  const recordedAt = new Date('2026-09-30T12:00:00Z');
  let written = 0;
  for (let chain = 0; written < total; chain += 1) {
    const opportunityId = `opp-${chain}`;
    const story = opportunityStory(opportunityId, chain).map(parseEntryInput);
    let head: ChainHead | undefined;
    for (let index = 0; index < PER_CHAIN && written < total; index += 1) {
      const input = story[index % story.length] as (typeof story)[number];
      const entry = sealEntry(input, head, recordedAt);
      head = entry;
      written += 1;
      if (!out.write(`${JSON.stringify(entry)}\n`)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
}

async function verifyFile(path: string): Promise<void> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const report = await verifyJsonLines(
    createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>,
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    JSON.stringify({
      ok: report.ok,
      entries: report.entries,
      chains: report.chains,
      seconds,
      entriesPerSecond: Math.round(report.entries / seconds),
      cpuSeconds,
      entriesPerCpuSecond: Math.round(report.entries / cpuSeconds),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

if (process.argv[2] === '--verify') {
  await verifyFile(process.argv[3] as string);
} else {
  const total = Number(process.argv[2] ?? 1_000_000);
  const directory = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const path = join(directory, 'ledger.jsonl');
  try {
    const generationStarted = performance.now();
    await generate(path, total);
    console.log(
      `generated ${total.toLocaleString('en')} entries (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - generationStarted) / 1000).toFixed(1)} s`,
    );
    const child = spawnSync(process.execPath, [import.meta.filename, '--verify', path], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`verify child failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as {
      ok: boolean;
      entries: number;
      chains: number;
      seconds: number;
      entriesPerSecond: number;
      cpuSeconds: number;
      entriesPerCpuSecond: number;
      peakRssMb: number;
    };
    console.log(
      `verify (streamed from file): ${result.entries.toLocaleString('en')} entries in ${result.chains.toLocaleString('en')} chains, ${result.seconds.toFixed(2)} s → ${result.entriesPerSecond.toLocaleString('en')} entries/s wall, ${result.entriesPerCpuSecond.toLocaleString('en')} entries per CPU-second (goal ≥ 200,000), load average ${loadavg()[0]?.toFixed(1)}, peak RSS ${result.peakRssMb} MB (goal ≤ 256), chains intact: ${result.ok}`,
    );
    if (!result.ok) process.exitCode = 1;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
