/**
 * The pre-QBR computation alone over 1,000,000 ledger entries streamed from a JSON-lines file
 * (grouped by opportunity): every line validated, every chain projected as of the moment, then
 * the report computed. Prints entries/s (goal ≥ 200,000) and peak RSS (goal ≤ 512 MB).
 * The export is written first by this process; each way of validating then runs in a fresh
 * child process, so its peak RSS is the computation's own, not the generator's.
 * `BENCH_ENTRIES` changes the size.
 */

import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerEntry, LedgerEntryInput } from '#domain/ledger/entry.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { freezeMoney } from '#domain/money.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { computeQbrReport } from '#domain/qbr/compute-report.ts';
import { factsFromJsonLines } from '#use-cases/qbr-ledger-export.ts';

const target = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const asOf = '2026-12-15T00:00:00.000Z';

/** One opportunity's life: approved, attached, created, staged, re-priced, won or lost (8 entries with a correction every 10th). */
function story(index: number): LedgerEntryInput[] {
  const opportunityId = `opp-${String(index).padStart(7, '0')}`;
  const partnerId = `partner-${index % 97}`;
  const customer = { domain: `customer-${index}.example.com` };
  const campaignId = `campaign-${index % 40}`;
  const relationshipType = index % 3 === 0 ? 'influenced' : 'sourced';
  const day = (offset: number) => new Date(Date.UTC(2026, 9, 1 + (index % 30) + offset, 12)).toISOString();
  const inputs: LedgerEntryInput[] = [
    {
      type: 'RegistrationApproved',
      opportunityId,
      effectiveAt: day(0),
      recordedBy: 'workflow',
      registrationId: `reg-${index}`,
      partnerId,
      customer,
      relationshipType,
      campaignId,
      cloudMarketplace: 'aws',
      decidedBy: 'approver@vendor.example',
    },
    {
      type: 'PartnerAttached',
      opportunityId,
      effectiveAt: day(0),
      recordedBy: 'workflow',
      partnerId,
      customer,
      relationshipType,
      registrationId: `reg-${index}`,
      campaignId,
    },
    {
      type: 'OpportunityCreated',
      opportunityId,
      effectiveAt: day(1),
      recordedBy: 'crm-events',
      customer,
      dealName: `Deal ${index}`,
      stage: 'appointmentscheduled',
      amount: freezeMoney(5_000_000 + index, 'EUR', '1.0842'),
    },
    {
      type: 'StageChanged',
      opportunityId,
      effectiveAt: day(10),
      recordedBy: 'crm-events',
      stage: 'contractsent',
    },
    {
      type: 'AmountChanged',
      opportunityId,
      effectiveAt: day(20),
      recordedBy: 'crm-events',
      amount: freezeMoney(6_000_000 + index, 'EUR', '1.0901'),
    },
    {
      type: 'StageChanged',
      opportunityId,
      effectiveAt: day(40),
      recordedBy: 'crm-events',
      stage: index % 4 === 0 ? 'closedlost' : 'closedwon',
    },
    index % 4 === 0
      ? { type: 'ClosedLost', opportunityId, effectiveAt: day(40), recordedBy: 'crm-events' }
      : {
          type: 'ClosedWon',
          opportunityId,
          effectiveAt: day(40),
          recordedBy: 'crm-events',
          amount: freezeMoney(6_000_000 + index, 'EUR', '1.0901'),
        },
  ];
  if (index % 10 === 0) {
    inputs.push({
      type: 'Correction',
      opportunityId,
      effectiveAt: day(41),
      recordedBy: 'cli',
      supersedesSequence: 5,
      reason: 'typo',
      approver: 'revops@vendor.example',
      changes: { 'amount.amountMinor': 6_100_000 },
    });
  }
  return inputs;
}

/** Child process: one way of validating over the export file; prints its figures, answers JSON on the last line. */
async function computeOnce(file: string, validation: 'full' | 'shape'): Promise<void> {
  const policy = loadPolicy({});
  global.gc?.();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const { facts, entries, chains } = await factsFromJsonLines(
    input as AsyncIterable<Buffer>,
    { asOf, knownAt: asOf },
    { validation },
  );
  const projected = performance.now();
  const report = computeQbrReport({
    quarter: parseFiscalQuarter('2026-Q4'),
    asOf,
    generatedAt: new Date().toISOString(),
    policy: policy.policy,
    policyVersion: policy.policyVersion,
    facts,
    registrations: [],
    crm: undefined,
    integrity: { chains, chainsNotInLedger: 0, entries, broken: [] },
    retroactive: [],
    orphanAfterDays: 30,
  });
  const seconds = (performance.now() - start) / 1_000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rate = entries / seconds;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(`\nvalidation ${validation}:`);
  console.log(
    `  chains:         ${chains.toLocaleString('en-US')} (${facts.length.toLocaleString('en-US')} projected)`,
  );
  console.log(
    `  read + check + project ${((projected - start) / 1_000).toFixed(2)} s; report ${((performance.now() - projected) / 1_000).toFixed(2)} s`,
  );
  console.log(
    `  closed-won Q4:  ${report.scorecard.closedWonAmount.toLocaleString('en-US')} USD, sourced ${report.attribution.partnerSourcedRevenue.toLocaleString('en-US')} USD`,
  );
  console.log(
    `  throughput:     ${Math.round(rate).toLocaleString('en-US')} entries/s (goal ≥ 200,000); ${Math.round(entries / cpuSeconds).toLocaleString('en-US')} per CPU-second`,
  );
  console.log(`  peak RSS:       ${peakMb.toFixed(0)} MB (goal ≤ 512 MB)`);
  console.log(JSON.stringify({ entries, rate, peakMb }));
}

const [mode, childFile, childValidation] = process.argv.slice(2);
if (
  mode === 'compute' &&
  childFile !== undefined &&
  (childValidation === 'full' || childValidation === 'shape')
) {
  await computeOnce(childFile, childValidation);
} else {
  const directory = await mkdtemp(join(tmpdir(), 'dealreg-qbr-metrics-'));
  const file = join(directory, 'ledger.jsonl');
  try {
    // Write the export: one chain after another, each entry sealed as the ledger seals it.
    const began = performance.now();
    const output = createWriteStream(file);
    let written = 0;
    let buffer = '';
    for (let index = 0; written < target; index += 1) {
      let head: LedgerEntry | undefined;
      for (const input of story(index)) {
        if (written >= target) break;
        head = sealEntry(
          parseEntryInput(input),
          head,
          new Date(Date.parse(input.effectiveAt as string) + 1_000),
        );
        buffer += `${JSON.stringify(head)}\n`;
        written += 1;
      }
      if (buffer.length > 1 << 20) {
        if (!output.write(buffer)) await once(output, 'drain');
        buffer = '';
      }
    }
    output.end(buffer);
    await once(output, 'finish');
    console.log(
      `load average:     ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')} on ${cpus().length} cores`,
    );
    console.log(
      `export written:   ${written.toLocaleString('en-US')} entries in ${((performance.now() - began) / 1_000).toFixed(1)} s`,
    );

    let failed = written !== target;
    for (const validation of ['full', 'shape'] as const) {
      const child = spawnSync(
        process.execPath,
        ['--expose-gc', import.meta.filename, 'compute', file, validation],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
      );
      const lines = child.stdout.trimEnd().split('\n');
      const figures = JSON.parse(lines.pop() ?? '{}') as { entries?: number; rate?: number; peakMb?: number };
      console.log(lines.join('\n'));
      if (child.status !== 0 || figures.entries !== written) failed = true;
      if (validation === 'shape' && ((figures.rate ?? 0) < 200_000 || (figures.peakMb ?? Infinity) > 512))
        failed = true;
    }
    if (failed) process.exitCode = 1;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
