import { type FileHandle, open, rm, stat } from 'node:fs/promises';
import type { PartnerSummary } from '#domain/ledger/partner-summary.ts';
import { counted } from '#domain/plural.ts';
import { type CsvColumn, toCsv } from '#rendering/csv.ts';
import { listPartners } from '#use-cases/list-partners.ts';
import { commandNow } from './command-clock.ts';
import { calendarTimeZoneFor, instantOption } from './instant-option.ts';
import { connectLedger } from './ledger-connection.ts';
import { partnerCompaniesFor } from './partner-companies.ts';
import type { PartnersListOptions } from './partners.ts';
import { UsageError } from './usage-error.ts';

const columns: readonly CsvColumn<PartnerSummary>[] = [
  { header: 'partnerId', value: (row) => row.partnerId },
  { header: 'name', value: (row) => row.name },
  { header: 'domain', value: (row) => row.domain },
  { header: 'registrationsApproved', value: (row) => row.registrationsApproved },
  { header: 'activeAttributions', value: (row) => row.activeAttributions },
  { header: 'inLedger', value: (row) => String(row.inLedger) },
  { header: 'inHubSpot', value: (row) => String(row.inCrm) },
];

function table(partners: readonly PartnerSummary[]): string {
  const header = ['id', 'name', 'domain', 'approved', 'active', 'known to'];
  const rows = partners.map((partner) => [
    partner.partnerId,
    partner.name ?? '—',
    partner.domain ?? '—',
    String(partner.registrationsApproved),
    String(partner.activeAttributions),
    [partner.inLedger ? 'ledger' : undefined, partner.inCrm ? 'HubSpot' : undefined]
      .filter((part) => part !== undefined)
      .join(', '),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = new Set([3, 4]);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...rows.map(line)];
  if (partners.length === 0) lines.push('(no partners in the ledger or HubSpot)');
  return `${lines.join('\n')}\n`;
}

/** Opens `--out` before any work, so a file that cannot be written fails fast (exit 2). */
async function openOut(file: string): Promise<FileHandle> {
  if (file.trim() === '') throw new UsageError('--out is empty; name a new file to write the list to');
  return open(file, 'wx').catch(async (error: NodeJS.ErrnoException) => {
    const isDirectory =
      error.code === 'EEXIST' &&
      (await stat(file)
        .then((found) => found.isDirectory())
        .catch(() => false));
    const reason = isDirectory
      ? 'it is a directory'
      : error.code === 'EEXIST'
        ? 'it already exists'
        : error.code === 'ENOENT'
          ? 'its folder does not exist'
          : error.code === 'ENOTDIR'
            ? 'a part of the path is a file, not a folder'
            : error.code === 'EACCES' || error.code === 'EPERM'
              ? 'permission denied'
              : error.code === 'EROFS'
                ? 'the file system is read-only'
                : error.message;
    throw new UsageError(`cannot write ${file}: ${reason}; name a new file with --out`, { cause: error });
  });
}

/** `dealreg partners list`: exit 2 for a bad `--as-of` or an `--out` file that exists. */
export async function list(options: PartnersListOptions): Promise<void> {
  const asOf = instantOption('--as-of', options.asOf, await calendarTimeZoneFor(options, options.asOf));
  const output = options.out === undefined ? undefined : await openOut(options.out);
  let written = false;
  try {
    const now = asOf ?? (await commandNow(options.dataDir)).toISOString();
    const ledger = await connectLedger(options.dataDir);
    let partners: PartnerSummary[];
    try {
      const companies = options.hubspot ? await partnerCompaniesFor(options.dataDir) : undefined;
      partners = await listPartners({ store: ledger.store, companies }, { asOf: now, knownAt: now });
    } finally {
      ledger.close();
    }
    const text =
      options.format === 'json'
        ? `${JSON.stringify({ asOf: now, partners }, null, 2)}\n`
        : options.format === 'csv'
          ? toCsv(partners, columns)
          : table(partners);
    if (output === undefined) {
      process.stdout.write(text);
      return;
    }
    await output.writeFile(text);
    written = true;
    console.error(`wrote ${counted(partners.length, 'partner')} to ${options.out}`);
  } finally {
    await output?.close();
    // Nothing half-written: a run that failed leaves no --out file behind.
    if (output !== undefined && !written && options.out !== undefined) await rm(options.out, { force: true });
  }
}
