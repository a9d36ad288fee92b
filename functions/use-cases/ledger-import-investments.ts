import { parse } from 'csv-parse/sync';
import * as z from 'zod';
import { type LedgerEntryInput, ledgerEntryInputSchema } from '#domain/ledger/entry.ts';
import { decimalRateSchema, freezeMoney, isCurrencyCode, parseDecimalAmount } from '#domain/money.ts';
import type { LedgerStore } from '#ports/ledger.ts';
import { type AppendDependencies, appendAll, appendEntry, readChain } from './ledger-append.ts';

/** One thing wrong in an investments file, by line and column. */
interface ImportProblem {
  readonly line: number;
  readonly column: string;
  readonly message: string;
}

/** The file was refused as a whole; nothing was appended. */
export class InvestmentImportError extends Error {
  override readonly name = 'InvestmentImportError';
  readonly problems: readonly ImportProblem[];
  constructor(problems: readonly ImportProblem[], options?: ErrorOptions) {
    super(
      `investments file refused, nothing imported:\n${problems
        .map(
          (problem) =>
            `  line ${problem.line}${problem.column ? `, column ${problem.column}` : ''}: ${problem.message}`,
        )
        .join('\n')}`,
      options,
    );
    this.problems = problems;
  }
}

const investmentColumns = [
  'investmentId',
  'investmentType',
  'campaignId',
  'partnerId',
  'amount',
  'currency',
  'usdRate',
  'effectiveAt',
  'opportunityId',
] as const;
const requiredColumns = [
  'investmentId',
  'investmentType',
  'campaignId',
  'amount',
  'currency',
  'usdRate',
  'effectiveAt',
];

const investmentRowSchema = z.object({
  investmentId: z.string().trim().min(1, 'is empty'),
  investmentType: z.string().trim().min(1, 'is empty'),
  campaignId: z.string().trim().min(1, 'is empty'),
  partnerId: z.string().trim().optional(),
  amount: z
    .string()
    .trim()
    .regex(/^\d{1,15}(\.\d+)?$/, 'is not an amount such as 1250.50'),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Z]{3}$/, { error: 'is not an ISO 4217 code such as USD', abort: true })
    .refine(isCurrencyCode, 'is not a currency in ISO 4217'),
  usdRate: z.string().trim().pipe(decimalRateSchema),
  effectiveAt: z
    .string()
    .trim()
    .transform((value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value))
    .pipe(z.iso.datetime({ offset: true, error: 'is not a date (YYYY-MM-DD) or an ISO instant' })),
  opportunityId: z.string().trim().optional(),
});

/**
 * Parses and validates a whole investments CSV (header row with the columns above) into ledger
 * inputs. Returns every problem found, each naming its line and column; the inputs are only
 * meaningful when there are none. An investment type must be one of `investmentTypes` (the
 * policy's `reporting.investmentTypes`), matched without regard to case and recorded as the
 * policy spells it, so ROI rows are never split by spelling or invented by a typo.
 */
export function parseInvestmentsCsv(
  text: string,
  recordedBy: string,
  investmentTypes: readonly string[],
): { inputs: LedgerEntryInput[]; problems: ImportProblem[] } {
  const typesByKey = new Map(investmentTypes.map((type) => [type.toLowerCase(), type]));
  const notAPolicyType = (type: string) =>
    `"${type}" is not an investment type of the policy (reporting.investmentTypes: ${investmentTypes.join(', ')})`;
  let records: {
    record: Record<string, string>;
    info: {
      lines: number;
      columns?: { name: string }[];
      error?: { code?: string; record?: unknown };
    };
  }[];
  try {
    records = parse(text, {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      bom: true,
      relax_column_count: true,
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    return {
      inputs: [],
      problems: [{ line, column: '', message: `not valid CSV: ${(error as Error).message}` }],
    };
  }
  const problems: ImportProblem[] = [];
  const header =
    records[0]?.info.columns?.map((column) => column.name) ?? Object.keys(records[0]?.record ?? {});
  if (records.length === 0)
    problems.push({ line: 1, column: '', message: 'the file has no investment rows' });
  for (const column of requiredColumns) {
    if (records.length > 0 && !header.includes(column))
      problems.push({ line: 1, column, message: 'column is missing' });
  }
  for (const column of header) {
    if (!(investmentColumns as readonly string[]).includes(column)) {
      problems.push({
        line: 1,
        column,
        message: `unknown column (expected ${investmentColumns.join(', ')})`,
      });
    }
  }
  if (problems.length > 0) return { inputs: [], problems };

  const inputs: LedgerEntryInput[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    if (info.error?.code === 'CSV_RECORD_INCONSISTENT_COLUMNS') {
      const fields = Array.isArray(info.error.record) ? info.error.record.length : Object.keys(record).length;
      problems.push({ line, column: '', message: `has ${fields} fields, the header has ${header.length}` });
      continue;
    }
    // Every problem of the line is named, not only the first.
    const row = investmentRowSchema.safeParse(record);
    if (!row.success) {
      for (const issue of row.error.issues) {
        problems.push({ line, column: String(issue.path[0] ?? ''), message: issue.message });
      }
      // The type is checked against the policy too, so a fixed file is not refused again for it.
      const type = typeof record.investmentType === 'string' ? record.investmentType.trim() : '';
      if (type !== '' && !typesByKey.has(type.toLowerCase()))
        problems.push({ line, column: 'investmentType', message: notAPolicyType(type) });
      const id = typeof record.investmentId === 'string' ? record.investmentId.trim() : '';
      const earlier = seen.get(id);
      if (id !== '' && earlier !== undefined)
        problems.push({ line, column: 'investmentId', message: `${id} is already on line ${earlier}` });
      else if (id !== '') seen.set(id, line);
      continue;
    }
    const value = row.data;
    const earlier = seen.get(value.investmentId);
    if (earlier !== undefined) {
      problems.push({
        line,
        column: 'investmentId',
        message: `${value.investmentId} is already on line ${earlier}`,
      });
      continue;
    }
    seen.set(value.investmentId, line);
    const investmentType = typesByKey.get(value.investmentType.toLowerCase());
    if (investmentType === undefined) {
      problems.push({
        line,
        column: 'investmentType',
        message: notAPolicyType(value.investmentType),
      });
      continue;
    }
    let amount: ReturnType<typeof freezeMoney>;
    try {
      amount = freezeMoney(parseDecimalAmount(value.amount, value.currency), value.currency, value.usdRate);
    } catch (error) {
      problems.push({ line, column: 'amount', message: (error as Error).message });
      continue;
    }
    const input = {
      type: 'InvestmentRecorded' as const,
      opportunityId: value.opportunityId || `campaign:${value.campaignId}`,
      effectiveAt: value.effectiveAt,
      recordedBy,
      investmentId: value.investmentId,
      investmentType,
      campaignId: value.campaignId,
      ...(value.partnerId ? { partnerId: value.partnerId } : {}),
      amount,
    };
    const checked = ledgerEntryInputSchema.safeParse(input);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const field = String(issue.path[0] ?? '');
        // A campaign chain id is built from campaignId; name the column the user wrote.
        const column = field === 'opportunityId' && !value.opportunityId ? 'campaignId' : field;
        problems.push({ line, column, message: issue.message });
      }
      continue;
    }
    inputs.push(input);
  }
  return { inputs, problems };
}

/**
 * Imports an investments file all or nothing: every line is validated before anything is
 * written (an investment type the policy does not list is a bad line), and one bad line refuses the file (`InvestmentImportError` naming each line and
 * column). The investments are then written in one transaction when the store has them and the
 * file fits in one (100 new investments in DynamoDB), so a failure writes none; a larger file
 * is written one investment at a time. Either way, investments already in the ledger (same id on
 * the same chain) are skipped, so re-running an import that was cut short completes it without
 * duplicates.
 */
export async function importInvestments(
  deps: AppendDependencies,
  text: string,
  options: { readonly investmentTypes: readonly string[]; readonly recordedBy?: string | undefined },
): Promise<{ appended: number; skipped: number; atomic: boolean }> {
  const { inputs, problems } = parseInvestmentsCsv(
    text,
    options.recordedBy ?? 'investments-import',
    options.investmentTypes,
  );
  if (problems.length > 0) throw new InvestmentImportError(problems);
  const recorded = await alreadyRecorded(deps.store, inputs);
  const pending = inputs.filter(
    (input) =>
      input.type !== 'InvestmentRecorded' ||
      !recorded.has(`${input.opportunityId}\u0000${input.investmentId}`),
  );
  const skipped = inputs.length - pending.length;
  const { insertAll, maxBatch } = deps.store;
  if (insertAll !== undefined && maxBatch !== undefined && pending.length <= maxBatch) {
    await appendAll(deps, pending);
    return { appended: pending.length, skipped, atomic: true };
  }
  for (const input of pending) await appendEntry(deps, input);
  return { appended: pending.length, skipped, atomic: false };
}

async function alreadyRecorded(
  store: LedgerStore,
  inputs: readonly LedgerEntryInput[],
): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const chain of new Set(inputs.map((input) => input.opportunityId))) {
    for (const entry of await readChain(store, chain)) {
      if (entry.type === 'InvestmentRecorded') keys.add(`${chain}\u0000${entry.investmentId}`);
    }
  }
  return keys;
}
