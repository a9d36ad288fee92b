/**
 * Verify's own work — canonicalise, hash, link and gap checks — over 1,000,000 entries streamed
 * from a JSON-lines file, with no database in the way. Two files hold the same entries:
 * - as `ledger export` writes them (canonical JSON lines): the path `ledger verify --file` takes;
 * - with keys in the order the entries were built (`JSON.stringify`): text that is not canonical,
 *   so every line is parsed and re-serialised (the general path).
 * The export is verified by one thread and by two worker threads (each checking half of the
 * chains). A third file holds the entries with their MACs (a local ledger key): verified with every
 * MAC checked, as `ledger verify --file` does with no digest to vouch for any entry. The files are generated first (in this process); each run is in a fresh child process
 * so its peak RSS is its own. Goals: ≥ 200,000 entries/s and peak RSS ≤ 256 MB.
 * `node bench/ledger-verify-file.bench.ts [entries]`
 */
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync, type WriteStream, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { entryMacMessage } from '#domain/ledger/entry-mac.ts';
import { canonicalJson } from '#domain/ledger/hash.ts';
import { type ChainHead, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { verifyJsonLinesFile } from '#use-cases/ledger-verify.ts';

const PER_CHAIN = 10;

interface Result {
  ok: boolean;
  entries: number;
  chains: number;
  seconds: number;
  entriesPerSecond: number;
  cpuSeconds: number;
  entriesPerCpuSecond: number;
  peakRssMb: number;
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

async function generate(
  exportPath: string,
  insertionOrderPath: string,
  withMacsPath: string,
  keyBytes: Buffer,
  total: number,
): Promise<void> {
  const exported = createWriteStream(exportPath);
  const insertionOrder = createWriteStream(insertionOrderPath);
  const withMacs = createWriteStream(withMacsPath);
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
      // What `ledger export` writes for each item.
      await write(exported, `${canonicalJson(entry)}\n`);
      await write(insertionOrder, `${JSON.stringify(entry)}\n`);
      const mac = createHmac('sha256', keyBytes).update(entryMacMessage(entry)).digest('hex');
      await write(withMacs, `${canonicalJson({ ...entry, mac })}\n`);
    }
  }
  for (const out of [exported, insertionOrder, withMacs]) {
    out.end();
    await once(out, 'finish');
  }
}

async function verifyFile(path: string, workers: number, keyPath: string | undefined): Promise<void> {
  const key = keyPath === undefined ? undefined : await LocalLedgerKey.load(keyPath);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const report = await verifyJsonLinesFile(path, {
    workers,
    ...(key === undefined
      ? {}
      : {
          authentication: {
            attestedThrough: new Map(),
            legacyThrough: new Map(),
            epochDigest: undefined,
            coveredThrough: new Map(),
            dueBefore: undefined,
            everySeconds: 86_400,
          },
          checkMacs: (claims) => key.verifyMacs(claims),
        }),
  });
  if (key !== undefined && report.macsChecked !== report.entries)
    throw new Error(`checked ${report.macsChecked} MACs of ${report.entries} entries`);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result: Result = {
    ok: report.ok,
    entries: report.entries,
    chains: report.chains,
    seconds,
    entriesPerSecond: Math.round(report.entries / seconds),
    cpuSeconds,
    entriesPerCpuSecond: Math.round(report.entries / cpuSeconds),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  console.log(JSON.stringify(result));
}

function verifyInChild(path: string, workers: number, keyPath?: string): Result {
  const child = spawnSync(
    process.execPath,
    [import.meta.filename, '--verify', path, String(workers), ...(keyPath === undefined ? [] : [keyPath])],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`verify child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as Result;
}

if (process.argv[2] === '--verify') {
  await verifyFile(process.argv[3] as string, Number(process.argv[4]), process.argv[5]);
} else {
  const total = Number(process.argv[2] ?? 1_000_000);
  const directory = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const exportPath = join(directory, 'ledger-export.jsonl');
  const insertionOrderPath = join(directory, 'ledger-insertion-order.jsonl');
  const withMacsPath = join(directory, 'ledger-export-macs.jsonl');
  const keyPath = join(directory, 'ledger-mac.key');
  const keyBytes = randomBytes(32);
  writeFileSync(keyPath, keyBytes.toString('base64'), { mode: 0o600 });
  try {
    const generationStarted = performance.now();
    await generate(exportPath, insertionOrderPath, withMacsPath, keyBytes, total);
    console.log(
      `generated ${total.toLocaleString('en')} entries twice (${(statSync(exportPath).size / 2 ** 20).toFixed(0)} MiB each) in ${((performance.now() - generationStarted) / 1000).toFixed(1)} s`,
    );
    for (const [label, path, workers, key] of [
      ['export (canonical lines), 1 thread', exportPath, 1, undefined],
      ['export (canonical lines), 2 worker threads', exportPath, 2, undefined],
      ['insertion-order lines (general path), 1 thread', insertionOrderPath, 1, undefined],
      ['export with MACs, every MAC checked (local key), 1 thread', withMacsPath, 1, keyPath],
      ['export with MACs, every MAC checked (local key), 2 worker threads', withMacsPath, 2, keyPath],
    ] as const) {
      const result = verifyInChild(path, workers, key);
      console.log(
        `verify ${label}: ${result.entries.toLocaleString('en')} entries in ${result.chains.toLocaleString('en')} chains, ${result.seconds.toFixed(2)} s → ${result.entriesPerSecond.toLocaleString('en')} entries/s wall, ${result.entriesPerCpuSecond.toLocaleString('en')} entries per CPU-second (goal ≥ 200,000), load average ${loadavg()[0]?.toFixed(1)}, peak RSS ${result.peakRssMb} MB (goal ≤ 256), chains intact: ${result.ok}`,
      );
      if (!result.ok) process.exitCode = 1;
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
