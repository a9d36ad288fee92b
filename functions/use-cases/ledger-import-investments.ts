import { parse } from 'csv-parse/sync';
import * as z from 'zod';
import { type LedgerEntry, type LedgerEntryInput, ledgerEntryInputSchema } from '#domain/ledger/entry.ts';
import {
  decimalRateSchema,
  formatMoney,
  freezeMoney,
  isCurrencyCode,
  parseDecimalAmount,
} from '#domain/money.ts';
import type { PartnerCompanyLookup } from '#ports/hubspot.ts';
import type { LedgerStore } from '#ports/ledger.ts';
import { type AppendDependencies, appendAll, appendEntry } from './ledger-append.ts';
import { entriesBy } from './ledger-queries.ts';

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
    // A sign is read so that a negative amount is named as such, then refused.
    .regex(/^-?\d{1,15}(\.\d+)?$/, 'is not an amount such as 1250.50'),
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
 * The dates an investment may carry: spend of a quarter Dealreg reports on, so not before 2000
 * and not more than one year after today (a budget booked ahead), never a typo such as 9999-12-31
 * that would sit in every future quarter's ROI.
 */
function investmentDates(now: Date): { from: number; to: number; rule: string } {
  const to = new Date(now);
  to.setUTCFullYear(to.getUTCFullYear() + 1);
  return {
    from: Date.parse('2000-01-01T00:00:00Z'),
    to: to.getTime(),
    rule: `an investment is dated from 2000-01-01 to one year after today (${to.toISOString().slice(0, 10)})`,
  };
}

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
  options: { readonly now?: Date | undefined } = {},
): { inputs: LedgerEntryInput[]; lines: number[]; problems: ImportProblem[] } {
  const dates = investmentDates(options.now ?? new Date());
  const typesByKey = new Map(investmentTypes.map((type) => [type.toLowerCase(), type]));
  const notAPolicyType = (type: string) =>
    `"${type}" is not an investment type of the policy (reporting.investmentTypes: ${investmentTypes.join(', ')})`;
  // A JSON export named as the file is a common slip: say so rather than quote the CSV parser.
  if (/^\uFEFF?\s*[[{]/.test(text)) {
    return {
      inputs: [],
      lines: [],
      problems: [
        {
          line: 1,
          column: '',
          message: `the file is JSON, not CSV: give a CSV file whose header row names the columns ${investmentColumns.join(', ')}`,
        },
      ],
    };
  }
  const refuse = (message: string) => ({
    inputs: [],
    lines: [],
    problems: [{ line: 1, column: '', message }],
  });
  // Saved as "Unicode Text" (UTF-16) and read as UTF-8, every other character is a NUL.
  if (text.includes('\u0000')) {
    return refuse(
      'the file is not UTF-8 text (it holds NUL characters, as a file saved as UTF-16 "Unicode Text" does): save it as "CSV UTF-8 (Comma delimited)"',
    );
  }
  // A spreadsheet set to a locale whose list separator is not a comma: one column named after the
  // whole header row would be all the parser sees.
  const headerRow = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/, 1)[0] ?? '';
  const separator = headerRow.includes(',')
    ? undefined
    : headerRow.includes(';')
      ? 'semicolons'
      : headerRow.includes('\t')
        ? 'tabs'
        : undefined;
  if (separator !== undefined) {
    return refuse(
      `the header row is separated by ${separator}, not commas: save the file comma-separated, with the columns ${investmentColumns.join(', ')}`,
    );
  }
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
      lines: [],
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
  for (const [index, column] of header.entries()) {
    if (column === '') {
      problems.push({
        line: 1,
        column: '',
        message: `column ${index + 1} has no name in the header row (a comma too many at its end?); name it or remove it`,
      });
    } else if (!(investmentColumns as readonly string[]).includes(column)) {
      problems.push({
        line: 1,
        column,
        message: `unknown column (expected ${investmentColumns.join(', ')})`,
      });
    }
  }
  if (problems.length > 0) return { inputs: [], lines: [], problems };

  const inputs: LedgerEntryInput[] = [];
  const lines: number[] = [];
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
    // Every check of the line runs, so each of its problems is named in one run, not only the first.
    const lineProblems: ImportProblem[] = [];
    const earlier = seen.get(value.investmentId);
    if (earlier !== undefined) {
      lineProblems.push({
        line,
        column: 'investmentId',
        message: `${value.investmentId} is already on line ${earlier}`,
      });
    } else seen.set(value.investmentId, line);
    const investmentType = typesByKey.get(value.investmentType.toLowerCase());
    if (investmentType === undefined) {
      lineProblems.push({
        line,
        column: 'investmentType',
        message: notAPolicyType(value.investmentType),
      });
    }
    // Spend is money paid out: 0 or less would lower the invested total and inflate ROI.
    if (value.amount.startsWith('-') || !/[1-9]/.test(value.amount)) {
      lineProblems.push({
        line,
        column: 'amount',
        message: `is ${value.amount}; an investment amount must be more than 0`,
      });
    }
    const at = Date.parse(value.effectiveAt);
    if (!(at >= dates.from && at <= dates.to)) {
      lineProblems.push({
        line,
        column: 'effectiveAt',
        message: `is ${String(record.effectiveAt ?? '').trim()}; ${dates.rule}`,
      });
    }
    // USD is worth 1 USD: another rate would count the investment at another value in ROI.
    if (value.currency === 'USD' && Number(value.usdRate) !== 1) {
      lineProblems.push({
        line,
        column: 'usdRate',
        message: `is ${value.usdRate}, but an amount in USD has the USD rate 1`,
      });
    }
    if (lineProblems.length > 0 || investmentType === undefined) {
      problems.push(...lineProblems);
      continue;
    }
    let amount: ReturnType<typeof freezeMoney>;
    try {
      const amountMinor = parseDecimalAmount(value.amount, value.currency);
      if (!Number.isSafeInteger(amountMinor)) {
        problems.push({
          line,
          column: 'amount',
          message: `is too large to record (${value.amount} ${value.currency})`,
        });
        continue;
      }
      amount = freezeMoney(amountMinor, value.currency, value.usdRate);
    } catch (error) {
      problems.push({
        line,
        column: 'amount',
        message:
          error instanceof z.ZodError
            ? `is too large to record in USD (${value.amount} ${value.currency} at the USD rate ${value.usdRate})`
            : (error as Error).message,
      });
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
        const fromCampaign = field === 'opportunityId' && !value.opportunityId;
        problems.push({
          line,
          column: fromCampaign ? 'campaignId' : field,
          message: fromCampaign ? issue.message.replace('an opportunity id', 'a campaign id') : issue.message,
        });
      }
      continue;
    }
    inputs.push(input);
    lines.push(line);
  }
  return { inputs, lines, problems };
}

/**
 * Imports an investments file all or nothing: every line is validated before anything is
 * written (an investment type the policy does not list is a bad line), and one bad line refuses the file (`InvestmentImportError` naming each line and
 * column). An investment id is recorded once in the whole ledger, whichever campaign or
 * opportunity chain holds it: a line the ledger already holds exactly is skipped, so re-running
 * an import that was cut short completes it without duplicates, and a line that gives an id
 * already recorded with another chain, campaign, partner, type, amount or date refuses the file
 * naming what differs. The investments are then written in one transaction when the store has
 * them and the file fits in one (100 new investments in DynamoDB), so a failure writes none; a
 * larger file is written one investment at a time.
 */
export async function importInvestments(
  deps: AppendDependencies,
  text: string,
  options: {
    readonly investmentTypes: readonly string[];
    readonly recordedBy?: string | undefined;
    /**
     * HubSpot's companies, to check that every `partnerId` is a partner company there; or why
     * they cannot be read (a line naming a partner is then refused). Omitted: not checked.
     */
    readonly partners?: PartnerCompanyLookup | { readonly unavailable: string } | undefined;
  },
): Promise<{ appended: number; skipped: number; atomic: boolean }> {
  const { inputs, lines, problems } = parseInvestmentsCsv(
    text,
    options.recordedBy ?? 'investments-import',
    options.investmentTypes,
    { now: deps.now?.() },
  );
  // The partners, opportunities and recorded ids of the sound lines are checked too, so one run
  // names every problem to fix.
  const unknownPartners =
    options.partners === undefined ? [] : await unknownPartnerLines(options.partners, inputs, lines);
  const unknown = await unknownOpportunities(deps.store, inputs);
  const unknownOpportunityLines: ImportProblem[] = inputs.flatMap((input, index) =>
    unknown.has(input.opportunityId)
      ? [
          {
            line: lines[index] ?? 0,
            column: 'opportunityId',
            message: `${input.opportunityId} is not an opportunity in the ledger; name the HubSpot deal id of an approved registration, or leave opportunityId empty to credit the campaign`,
          },
        ]
      : [],
  );
  const recorded = await recordedInvestments(deps.store, inputs);
  const pending: LedgerEntryInput[] = [];
  const conflicts: ImportProblem[] = [];
  inputs.forEach((input, index) => {
    if (input.type !== 'InvestmentRecorded') return;
    const earlier = recorded.get(input.investmentId) ?? [];
    if (earlier.length === 0) {
      pending.push(input);
      return;
    }
    const compared = earlier.map((entry) => ({ entry, differences: investmentDifferences(entry, input) }));
    // Recorded exactly as the file gives it: skipped.
    if (compared.some(({ differences }) => differences.length === 0)) return;
    const [{ entry, differences }] = compared as [(typeof compared)[number]];
    conflicts.push({
      line: lines[index] ?? 0,
      column: 'investmentId',
      message: `${input.investmentId} is already recorded (chain ${entry.opportunityId}, entry ${entry.sequence}) as a different investment: ${differences.join('; ')}; an investment id is recorded once, give this investment its own id`,
    });
  });
  const refusals = [...problems, ...unknownPartners, ...unknownOpportunityLines, ...conflicts];
  // Sorted by line (stable: a line's problems keep the order of the checks).
  if (refusals.length > 0) throw new InvestmentImportError(refusals.sort((a, b) => a.line - b.line));
  const skipped = inputs.length - pending.length;
  const { insertAll, maxBatch } = deps.store;
  if (insertAll !== undefined && maxBatch !== undefined && pending.length <= maxBatch) {
    await appendAll(deps, pending);
    return { appended: pending.length, skipped, atomic: true };
  }
  for (const input of pending) await appendEntry(deps, input);
  return { appended: pending.length, skipped, atomic: false };
}

/**
 * The lines whose `partnerId` is not a partner company in HubSpot (no such company, or a company
 * of another type): an investment credited to an unknown partner would show in no partner's ROI.
 */
async function unknownPartnerLines(
  partners: PartnerCompanyLookup | { readonly unavailable: string },
  inputs: readonly LedgerEntryInput[],
  lines: readonly number[],
): Promise<ImportProblem[]> {
  const named = inputs.flatMap((input, index) =>
    input.type === 'InvestmentRecorded' && input.partnerId !== undefined
      ? [{ partnerId: input.partnerId, line: lines[index] ?? 0 }]
      : [],
  );
  if (named.length === 0) return [];
  if ('unavailable' in partners) {
    return named.map(({ partnerId, line }) => ({
      line,
      column: 'partnerId',
      message: `${partnerId} cannot be checked against HubSpot's partner companies: ${partners.unavailable}`,
    }));
  }
  const companies = new Map(
    (await partners.companiesById([...new Set(named.map(({ partnerId }) => partnerId))])).map((company) => [
      company.id,
      company,
    ]),
  );
  return named.flatMap(({ partnerId, line }) => {
    const company = companies.get(partnerId);
    if (company?.type === 'PARTNER') return [];
    return [
      {
        line,
        column: 'partnerId',
        message:
          company === undefined
            ? `${partnerId} is not a company in HubSpot; give the HubSpot company id of a partner (dealreg partners list shows them)`
            : `${partnerId} (${company.name ?? 'unnamed'}) is a HubSpot company of type ${company.type ?? 'none'}, not PARTNER; give the HubSpot company id of a partner (dealreg partners list shows them)`,
      },
    ];
  });
}

type RecordedInvestment = Extract<LedgerEntry, { type: 'InvestmentRecorded' }>;
type InvestmentInput = Extract<LedgerEntryInput, { type: 'InvestmentRecorded' }>;

/**
 * The opportunities the file names (`opportunityId`) that the ledger holds no deal for: no entry
 * but investments on that chain. Such an investment would open a chain no deal ever closes on and
 * count as spent for nothing in ROI, for good, since the ledger is append-only.
 */
async function unknownOpportunities(
  store: LedgerStore,
  inputs: readonly LedgerEntryInput[],
): Promise<Set<string>> {
  const named = [
    ...new Set(
      inputs.flatMap((input) =>
        input.type === 'InvestmentRecorded' && input.opportunityId !== `campaign:${input.campaignId}`
          ? [input.opportunityId]
          : [],
      ),
    ),
  ];
  const unknown = new Set<string>();
  for (let start = 0; start < named.length; start += LOOKUPS_AT_ONCE) {
    await Promise.all(
      named.slice(start, start + LOOKUPS_AT_ONCE).map(async (opportunityId) => {
        const chain = await store.readChainRaw(opportunityId);
        if (!chain.some((item) => item.type !== 'InvestmentRecorded')) unknown.add(opportunityId);
      }),
    );
  }
  return unknown;
}

/** How many investment ids are looked up at once (one index query each). */
const LOOKUPS_AT_ONCE = 8;

/** The investments the ledger already records under each id of the file, from the by-investment index. */
async function recordedInvestments(
  store: LedgerStore,
  inputs: readonly LedgerEntryInput[],
): Promise<Map<string, RecordedInvestment[]>> {
  const ids = [
    ...new Set(inputs.flatMap((input) => (input.type === 'InvestmentRecorded' ? [input.investmentId] : []))),
  ];
  const recorded = new Map<string, RecordedInvestment[]>();
  for (let start = 0; start < ids.length; start += LOOKUPS_AT_ONCE) {
    await Promise.all(
      ids.slice(start, start + LOOKUPS_AT_ONCE).map(async (investmentId) => {
        const entries = await entriesBy(store, { investmentId });
        recorded.set(
          investmentId,
          entries.filter((entry): entry is RecordedInvestment => entry.type === 'InvestmentRecorded'),
        );
      }),
    );
  }
  return recorded;
}

/** What a line gives differently from the investment recorded under its id ("campaignId CMP-1 recorded, CMP-2 in the file"). */
function investmentDifferences(recorded: RecordedInvestment, line: InvestmentInput): string[] {
  const money = (amount: RecordedInvestment['amount']) =>
    `${formatMoney({ minorUnits: amount.amountMinor, currency: amount.currency })} at USD rate ${amount.usdRate}`;
  const fields: [string, string, string][] = [
    ['chain', recorded.opportunityId, line.opportunityId],
    ['campaignId', recorded.campaignId, line.campaignId],
    ['partnerId', recorded.partnerId ?? '(none)', line.partnerId ?? '(none)'],
    ['investmentType', recorded.investmentType, line.investmentType],
    ['amount', money(recorded.amount), money(line.amount)],
  ];
  const differences = fields
    .filter(([, was, is]) => was !== is)
    .map(([name, was, is]) => `${name} ${was} recorded, ${is} in the file`);
  if (Date.parse(recorded.effectiveAt) !== Date.parse(line.effectiveAt))
    differences.push(`effectiveAt ${recorded.effectiveAt} recorded, ${line.effectiveAt} in the file`);
  return differences;
}
