import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, copyFile, link, lstat, open, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Duration } from 'luxon';
import { FileDigestStore, localDigestDirectory } from '#adapters/ledger/file-digest-store.ts';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { InvalidCorrectionError, InvalidLedgerEntryError } from '#domain/ledger/errors.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import type { OpportunityState } from '#domain/ledger/projection.ts';
import type { FrozenMoney } from '#domain/money.ts';
import { counted } from '#domain/plural.ts';
import { moneyText } from '#rendering/money-text.ts';
import { appendEntry, readChain } from '#use-cases/ledger-append.ts';
import { AnotherLedgerError, writeDigest } from '#use-cases/ledger-digest.ts';
import { attributionsAsOf, opportunityAsOf, renderLedgerReport } from '#use-cases/ledger-queries.ts';
import {
  exportJsonLines,
  type LedgerVerification,
  verifyLedger,
  verifyLedgerFile,
} from '#use-cases/ledger-verify.ts';
import { commandNow } from './command-clock.ts';
import { exitCodes } from './failure.ts';
import { calendarTimeZoneFor, instantOption, isBareDate } from './instant-option.ts';
import type {
  LedgerCommonOptions,
  LedgerCorrectOptions,
  LedgerDigestOptions,
  LedgerExportOptions,
  LedgerReportOptions,
  LedgerShowOptions,
  LedgerVerifyOptions,
} from './ledger.ts';
import { connectLedger, type LedgerConnection, ledgerKeyFor } from './ledger-connection.ts';
import { namesOf, partnerCompaniesFor } from './partner-companies.ts';
import { resolveCommandPolicy } from './policy-file.ts';
import { UsageError } from './usage-error.ts';

/** Why a file cannot be used, in words, with what to do about it. */
function fileProblem(file: string, error: unknown, fix: string): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'it does not exist'
      : code === 'EEXIST'
        ? 'it already exists'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (code ?? String(error));
  return new UsageError(`cannot use ${file}: ${reason}; ${fix}`, { cause: error });
}

/** Money as people read it, in its currency, with the USD figure frozen with it when it differs. */
function money(amount: FrozenMoney): string {
  const text = moneyText(amount.amountMinor, amount.currency);
  return amount.currency === 'USD'
    ? text
    : `${text} (${moneyText(amount.usdMinor, 'USD')} at ${amount.usdRate})`;
}

/** The ids of every partner an entry names. */
function partnerIdsOf(entries: readonly LedgerEntry[]): string[] {
  const ids = new Set<string>();
  for (const entry of entries)
    if ('partnerId' in entry && entry.partnerId !== undefined) ids.add(entry.partnerId);
  return [...ids].sort();
}

function summary(entry: LedgerEntry, partner: (id: string) => string): string {
  switch (entry.type) {
    case 'RegistrationApproved':
      return `${entry.registrationId} ${partner(entry.partnerId)} ${entry.relationshipType} (${entry.customer.domain})${entry.estimatedAmount === undefined ? '' : ` est. ${money(entry.estimatedAmount)}`}`;
    case 'PartnerAttached':
      return `${partner(entry.partnerId)} ${entry.relationshipType}${entry.registrationId === undefined ? '' : ` (${entry.registrationId})`}`;
    case 'PartnerDetached':
      return `${partner(entry.partnerId)}${entry.relationshipType === undefined ? '' : ` ${entry.relationshipType}`}${entry.reason ? ` — ${entry.reason}` : ''}`;
    case 'OpportunityCreated':
      return [
        entry.dealName,
        entry.customer.domain,
        entry.amount === undefined ? undefined : money(entry.amount),
      ]
        .filter((part) => part !== undefined)
        .join(' · ');
    case 'StageChanged':
      return entry.stage;
    case 'AmountChanged':
    case 'ClosedWon':
      return money(entry.amount);
    case 'CloseDateChanged':
      return entry.closeDate;
    case 'ClosedLost':
      return entry.reason ?? '';
    case 'RegistrationExpired':
      return `${entry.registrationId} ${partner(entry.partnerId)}`;
    case 'InvestmentRecorded':
      return `${entry.investmentId} ${entry.investmentType} ${entry.campaignId} ${money(entry.amount)}`;
    case 'CoSellShared':
      return `${entry.registrationId} → ACE ${entry.aceOpportunityId} (${entry.catalog})${entry.submittedToAws ? ', submitted to AWS' : ''}`;
    case 'CoSellStatusChanged':
      return `ACE ${entry.aceOpportunityId} ${[entry.reviewStatus, entry.stage].filter(Boolean).join(' / ')}${entry.reviewComments ? ` — ${entry.reviewComments}` : ''}`;
    case 'Correction':
      return `supersedes #${entry.supersedesSequence}: ${JSON.stringify(entry.changes)} — ${entry.reason} (approved by ${entry.approver})`;
  }
}

function printTable(
  entries: readonly LedgerEntry[],
  state: OpportunityState,
  names: ReadonlyMap<string, string>,
): void {
  const partner = (id: string) => {
    const name = names.get(id);
    return name === undefined ? `partner ${id}` : `${name} (${id})`;
  };
  const rows = entries.map((entry) => [
    String(entry.sequence),
    entry.type,
    entry.effectiveAt,
    entry.recordedAt,
    summary(entry, partner),
  ]);
  const header = ['seq', 'type', 'effective', 'recorded', 'detail'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log('');
  const amount = state.amount === undefined ? '—' : money(state.amount);
  console.log(
    `state: ${state.outcome}, stage ${state.stage ?? '—'}, amount ${amount}, customer ${state.customer?.domain ?? '—'}`,
  );
  for (const record of state.attributions) {
    const registration =
      record.registrationId === undefined ? '' : ` (registration ${record.registrationId})`;
    console.log(
      `  ${partner(record.partnerId)} ${record.relationshipType}${registration} since ${record.since}${record.active ? '' : ` until ${record.until}`}`,
    );
  }
}

async function withLedger<T>(
  options: LedgerCommonOptions,
  run: (ledger: LedgerConnection) => Promise<T>,
): Promise<T> {
  const ledger = await connectLedger(options.dataDir);
  try {
    return await run(ledger);
  } finally {
    ledger.close();
  }
}

/** An ISO 8601 duration option, in whole seconds; undefined stays so. */
function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const duration = Duration.fromISO(value);
  const ms = duration.isValid ? duration.toMillis() : Number.NaN;
  if (!(ms >= 1000))
    throw new UsageError(
      `${name} must be an ISO 8601 duration of at least one second such as P1D, got "${value}"`,
    );
  return Math.round(ms / 1000);
}

const conclusion = {
  intact: 'ledger intact',
  'intact-without-digests':
    'ledger intact as far as the chains and MACs show, but UNSEALED: no digest to catch a truncated or deleted chain',
  broken: 'ledger BROKEN',
} as const;

/**
 * What vouched for the entries: the signed digests (an entry they record is not MAC-checked one by
 * one, `ChainVerifier`), and the entry MACs for the rest. "0 MACs checked" alone read as if nothing
 * had been authenticated when the digests covered every entry.
 */
function coverage(report: LedgerVerification): string {
  const entries = (count: number) => counted(count, 'entry', 'entries');
  const ledger = `${entries(report.entries)} in ${counted(report.chains, 'chain')}`;
  const macs = report.macsChecked;
  if (report.digests === 'authenticated') {
    return `${ledger}; ${entries(report.entries - macs)} covered by ${counted(report.digestsChecked, 'signed digest')}; ${entries(macs)} outside a digest checked by MAC`;
  }
  const digests =
    report.digests === 'legacy'
      ? `${counted(report.digestsChecked, 'digest')} checked, none signed with the ledger key`
      : report.digests === 'other-ledger'
        ? 'no digest of this ledger'
        : 'no digests';
  return `${ledger}; ${digests}; ${entries(macs)} checked by MAC`;
}

/**
 * `dealreg ledger verify`: exit code 1 when a chain or digest is broken (or digests that should
 * exist are missing); 0 with a warning when there are no digests yet to check against.
 */
export async function verify(options: LedgerVerifyOptions): Promise<void> {
  const only = options.opportunity === undefined ? {} : { opportunityId: options.opportunity };
  const digestEverySeconds = seconds('--digest-every', options.digestEvery);
  const at = await commandNow(options.dataDir);
  const now = () => at;
  let report: LedgerVerification;
  let describe: string;
  if (options.file !== undefined) {
    const file = options.file;
    try {
      await access(file, constants.R_OK);
      if ((await stat(file)).isDirectory()) throw Object.assign(new Error(file), { code: 'EISDIR' });
    } catch (error) {
      throw fileProblem(file, error, 'name a file written by `dealreg ledger export --out FILE`');
    }
    const key = ledgerKeyFor(options.dataDir);
    try {
      report = await verifyLedgerFile(
        file,
        {
          digests: new FileDigestStore(localDigestDirectory(options.dataDir)),
          ledgerKey: await key.load(),
          now,
        },
        { ...only, workers: options.workers, digestEverySeconds },
      );
    } finally {
      key.close();
    }
    // An export cut short before its first line, or the wrong file: "intact" would prove nothing.
    if (options.opportunity === undefined && report.entries === 0 && report.broken.length === 0) {
      throw new UsageError(
        `${file} holds no ledger entries, so there is nothing in it to verify (an export of a ledger that had none yet, a file cut short before its first line, or not an export); name a file written by \`dealreg ledger export --out FILE\``,
      );
    }
    const predates = report.exportPredates;
    if (options.opportunity !== undefined && report.ok && report.chains === 0 && predates !== undefined) {
      throw new UsageError(
        `${file} has no entries for opportunity ${options.opportunity}: the export predates digest ${predates.digest} (written ${predates.createdAt}), which records it; export the ledger again to verify it`,
      );
    }
    describe = file;
  } else {
    const connection = await connectLedger(options.dataDir);
    try {
      report = await verifyLedger(
        {
          store: connection.store,
          digests: connection.digests,
          ledgerKey: await connection.ledgerKey(),
          now,
        },
        { segments: options.segments, digestEverySeconds, ...only },
      );
      describe = connection.describe;
    } finally {
      connection.close();
    }
  }
  if (options.opportunity !== undefined && report.ok && report.chains === 0) {
    // Nothing to verify: neither the ledger nor a digest knows the deal, so "intact" would mislead.
    throw new UsageError(
      `the ledger has no entries for opportunity ${options.opportunity} and no digest names it; check the HubSpot deal id`,
    );
  }
  if (options.format === 'json') {
    for (const warning of report.warnings) console.error(`WARNING: ${warning}`);
    const { heads: _heads, unseenDigestHeads: _unseen, ...rest } = report;
    console.log(JSON.stringify(rest, null, 2));
  } else {
    console.log(`${describe}: ${coverage(report)}`);
    for (const warning of report.warnings) console.log(`WARNING: ${warning}`);
    for (const problem of report.digestProblems) console.log(`BROKEN digest: ${problem}`);
    for (const broken of report.broken) {
      console.log(`BROKEN ${broken.opportunityId} #${broken.sequence} (${broken.problem}): ${broken.detail}`);
    }
    const predates = report.exportPredates;
    console.log(
      !report.ok
        ? `${conclusion.broken}: ${counted(report.broken.length + report.digestProblems.length, 'problem')}`
        : predates !== undefined && report.result === 'intact'
          ? `ledger intact as it stood before digest ${predates.digest} (written ${predates.createdAt}), when this export was written`
          : conclusion[report.result],
    );
  }
  if (!report.ok) process.exitCode = 1;
}

/**
 * `dealreg ledger export --out FILE`: never overwrites a file, and leaves none behind when it
 * fails. The entries are written to a file beside FILE, which becomes FILE only once every entry is
 * in it: an export cut short by a failed read would otherwise sit there looking whole, and refuse
 * the retry as a file that already exists.
 */
export async function exportEntries(options: LedgerExportOptions): Promise<void> {
  const out = options.out;
  await lstat(out).then(
    () => {
      throw fileProblem(
        out,
        Object.assign(new Error(out), { code: 'EEXIST' }),
        'export never overwrites: choose a new --out file',
      );
    },
    (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw fileProblem(out, error, 'choose another --out file');
    },
  );
  const partial = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.partial`);
  const output = await open(partial, 'wx').catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UsageError(
        `cannot use ${out}: its directory ${dirname(out)} does not exist; create it or choose another --out`,
        { cause: error },
      );
    }
    throw fileProblem(dirname(out), error, 'choose another --out file');
  });
  let closed = false;
  try {
    await withLedger(options, async ({ store, describe }) => {
      const count = await exportJsonLines(store, async (text) => {
        await output.write(text);
      });
      await output.close();
      closed = true;
      await publish(partial, out);
      console.log(`exported ${counted(count, 'entry', 'entries')} from ${describe} to ${out}`);
    });
  } finally {
    if (!closed) await output.close().catch(() => undefined);
    await rm(partial, { force: true });
  }
}

/** Gives the finished export its name, unless a file took that name meanwhile (never overwritten). */
async function publish(partial: string, out: string): Promise<void> {
  try {
    await link(partial, out);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw fileProblem(out, error, 'export never overwrites: choose a new --out file');
    // A file system without hard links: copy, still refusing to replace a file.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS') {
      await copyFile(partial, out, constants.COPYFILE_EXCL).catch((copyError: unknown) => {
        throw fileProblem(out, copyError, 'export never overwrites: choose a new --out file');
      });
      return;
    }
    throw error;
  }
}

/** `dealreg ledger show --opportunity ID`. */
export async function show(options: LedgerShowOptions): Promise<void> {
  const timeZone = await calendarTimeZoneFor(options, options.asOf, options.knownAt);
  const asOf = instantOption('--as-of', options.asOf, timeZone);
  const knownAt = instantOption('--known-at', options.knownAt, timeZone);
  const now = (await commandNow(options.dataDir)).toISOString();
  await withLedger(options, async ({ store }) => {
    const at = { asOf: asOf ?? now, knownAt: knownAt ?? now };
    const chain = await readChain(store, options.opportunity);
    const entries = chain.filter((entry) => entry.recordedAt <= at.knownAt);
    if (entries.length === 0) {
      // The deal is in the ledger, only not yet at --known-at: its id is right, the moment is early.
      const first = chain.reduce<string | undefined>(
        (earliest, entry) =>
          earliest === undefined || entry.recordedAt < earliest ? entry.recordedAt : earliest,
        undefined,
      );
      throw new UsageError(
        first === undefined
          ? `the ledger has no entries for opportunity ${options.opportunity}; check the HubSpot deal id`
          : `the ledger had no entries for opportunity ${options.opportunity} by ${at.knownAt} (--known-at): its first was recorded at ${first}; give a later --known-at`,
      );
    }
    const state = await opportunityAsOf(store, options.opportunity, at);
    const lookup = options.hubspot ? await partnerCompaniesFor(options.dataDir) : undefined;
    const names = await namesOf(lookup, partnerIdsOf(entries));
    if (options.format === 'json') {
      const partnerNames = Object.fromEntries([...names].sort(([a], [b]) => (a < b ? -1 : 1)));
      console.log(JSON.stringify({ ...at, state, entries, partnerNames }, null, 2));
    } else printTable(entries, state, names);
  });
}

/** `dealreg ledger correct`: appends a Correction; a correction the ledger refuses is a bad argument. */
export async function correct(options: LedgerCorrectOptions): Promise<void> {
  const effectiveAt = instantOption(
    '--effective-at',
    options.effectiveAt,
    await calendarTimeZoneFor(options, options.effectiveAt),
  );
  const now = await commandNow(options.dataDir);
  await withLedger(options, async ({ store, ledgerKey }) => {
    const entry = await appendEntry(
      { store, ledgerKey: await ledgerKey(), now: () => now },
      {
        type: 'Correction',
        opportunityId: options.opportunity,
        effectiveAt: effectiveAt ?? now.toISOString(),
        recordedBy: `cli:${options.approver}`,
        supersedesSequence: options.sequence,
        reason: options.reason,
        approver: options.approver,
        changes: Object.fromEntries(options.set),
      },
    ).catch((error: unknown) => {
      if (error instanceof InvalidCorrectionError || error instanceof InvalidLedgerEntryError)
        throw new UsageError(`the correction was not recorded: ${error.message}`, { cause: error });
      throw error;
    });
    console.log(
      `correction #${entry.sequence} on ${entry.opportunityId} supersedes #${options.sequence} (hash ${entry.hash})`,
    );
  });
}

/** `dealreg ledger report`: byte-stable canonical JSON. */
export async function report(options: LedgerReportOptions): Promise<void> {
  // The quarter is cut as the pre-QBR report cuts it: the policy's fiscal year, midnight in its calendar's zone.
  const policy =
    options.quarter === undefined && !isBareDate(options.asOf) && !isBareDate(options.knownAt)
      ? undefined
      : (await resolveCommandPolicy(options)).loaded.policy;
  const timeZone = policy?.calendar.timeZone ?? 'UTC';
  const asOf = instantOption('--as-of', options.asOf, timeZone);
  const knownAt = instantOption('--known-at', options.knownAt, timeZone);
  const fiscalYearStart = options.fiscalYearStart ?? policy?.reporting.fiscalYearStartMonth ?? 1;
  let quarter: ReturnType<typeof parseFiscalQuarter> | undefined;
  try {
    quarter =
      options.quarter === undefined
        ? undefined
        : parseFiscalQuarter(options.quarter, fiscalYearStart, timeZone);
  } catch (error) {
    throw new UsageError(`--quarter ${options.quarter}: ${(error as Error).message}`, { cause: error });
  }
  const now = (await commandNow(options.dataDir)).toISOString();
  await withLedger(options, async ({ store }) => {
    const result = await attributionsAsOf(
      store,
      { asOf: asOf ?? now, knownAt: knownAt ?? now },
      { partnerId: options.partner, campaignId: options.campaign, quarter },
    );
    console.log(renderLedgerReport(result));
  });
}

/**
 * `dealreg ledger digest`: exit code 1 when a chain did not verify (it is digested
 * unauthenticated), or when the ledger holds none of the last digest's chain heads and
 * `--new-series` was not given (nothing is written).
 */
export async function digest(options: LedgerDigestOptions): Promise<void> {
  const everySeconds = seconds('--digest-every', options.digestEvery);
  const now = await commandNow(options.dataDir);
  await withLedger(options, async ({ store, digests, ledgerKey }) => {
    let written: Awaited<ReturnType<typeof writeDigest>>;
    try {
      written = await writeDigest({
        store,
        digests,
        ledgerKey: await ledgerKey(),
        now: () => now,
        onAnotherLedger: options.newSeries === true ? 'start-new-series' : 'refuse',
        ...(everySeconds === undefined ? {} : { everySeconds }),
      });
    } catch (error) {
      if (!(error instanceof AnotherLedgerError)) throw error;
      console.error(error.message);
      process.exitCode = exitCodes.checkFailed;
      return;
    }
    const { location, digest, unauthenticated } = written;
    if (digest.newSeries !== undefined) console.log(`new digest series: ${digest.newSeries.reason}`);
    console.log(
      `digest ${digest.number} of ${counted(digest.chains, 'chain')} (${counted(digest.entries, 'entry', 'entries')}), root ${digest.root}: ${location}`,
    );
    for (const chain of unauthenticated) {
      console.log(
        `UNAUTHENTICATED ${chain.opportunityId} #${chain.sequence} (${chain.problem}): ${chain.detail}`,
      );
    }
    if (unauthenticated.length > 0) process.exitCode = 1;
  });
}
