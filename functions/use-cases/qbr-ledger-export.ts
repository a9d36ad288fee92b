import { entryTypes, LedgerEntry, RelationshipType } from '#domain/ledger/entry.ts';
import type { AsOf } from '#domain/ledger/projection.ts';
import { type OpportunityFacts, opportunityFacts } from '#domain/qbr/opportunity-facts.ts';

/** An export line that is not a ledger entry, or an export not grouped by opportunity. */
export class LedgerExportError extends Error {
  override readonly name = 'LedgerExportError';
}

/**
 * How each line is checked: `full` parses it with the ledger's entry schema; `shape` checks the
 * fields the report reads (types, instants, money, relationships) by hand — about four times
 * faster, for exports `ledger verify --file` has verified — and falls back to the schema for the
 * message when a line fails.
 */
export type ExportValidation = 'full' | 'shape';

const knownTypes: ReadonlySet<string> = new Set(entryTypes);
const relationships: ReadonlySet<string> = new Set(RelationshipType.options);
const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown) => typeof value === 'string' && value.length > 0;
const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const isMoney = (value: unknown) =>
  isObject(value) &&
  isCount(value.amountMinor) &&
  isCount(value.usdMinor) &&
  typeof value.currency === 'string' &&
  typeof value.usdRate === 'string';
const isCustomer = (value: unknown) => isObject(value) && isText(value.domain);

/** Whether `raw` has every field the report reads, of the right kind (see {@link ExportValidation}). */
function hasEntryShape(raw: unknown): raw is LedgerEntry {
  if (!isObject(raw)) return false;
  const { type } = raw;
  if (typeof type !== 'string' || !knownTypes.has(type)) return false;
  if (!isText(raw.opportunityId) || !Number.isSafeInteger(raw.sequence) || (raw.sequence as number) < 1)
    return false;
  if (typeof raw.effectiveAt !== 'string' || !instant.test(raw.effectiveAt)) return false;
  if (typeof raw.recordedAt !== 'string' || !instant.test(raw.recordedAt)) return false;
  switch (type) {
    case 'RegistrationApproved':
      return (
        isText(raw.registrationId) &&
        isText(raw.partnerId) &&
        isCustomer(raw.customer) &&
        relationships.has(raw.relationshipType as string) &&
        (raw.estimatedAmount === undefined || isMoney(raw.estimatedAmount))
      );
    case 'PartnerAttached':
      return (
        isText(raw.partnerId) && isCustomer(raw.customer) && relationships.has(raw.relationshipType as string)
      );
    case 'PartnerDetached':
      return isText(raw.partnerId);
    case 'OpportunityCreated':
      return isCustomer(raw.customer) && (raw.amount === undefined || isMoney(raw.amount));
    case 'StageChanged':
      return isText(raw.stage);
    case 'AmountChanged':
    case 'ClosedWon':
      return isMoney(raw.amount);
    case 'CloseDateChanged':
      return isText(raw.closeDate);
    case 'RegistrationExpired':
      return isText(raw.registrationId) && isText(raw.partnerId);
    case 'InvestmentRecorded':
      return (
        isText(raw.investmentId) &&
        isText(raw.investmentType) &&
        isText(raw.campaignId) &&
        isMoney(raw.amount)
      );
    case 'Correction':
      return Number.isSafeInteger(raw.supersedesSequence) && isObject(raw.changes);
    default:
      return true;
  }
}

export interface ExportFacts {
  readonly facts: OpportunityFacts[];
  readonly entries: number;
  readonly chains: number;
}

/**
 * Projects a ledger export streamed as JSON lines (one entry per line, each opportunity's entries
 * together, as `ledger export --by-opportunity` or any sort by opportunity writes them) into the
 * facts the pre-QBR report needs, holding one chain at a time: a file of any size is reported on
 * in memory proportional to its opportunities, not its entries. Every line is validated.
 *
 * @throws LedgerExportError naming the line that is not an entry, or the opportunity whose
 *   entries are not together.
 */
export async function factsFromJsonLines(
  chunks: AsyncIterable<Buffer>,
  at: AsOf,
  options: { validation?: ExportValidation } = {},
): Promise<ExportFacts> {
  const shapeOnly = options.validation === 'shape';
  const facts: OpportunityFacts[] = [];
  const finished = new Set<string>();
  let current: LedgerEntry[] = [];
  let currentId: string | undefined;
  let entries = 0;
  let lineNumber = 0;
  const flush = () => {
    if (currentId === undefined) return;
    const item = opportunityFacts(currentId, current, at);
    if (item.entries > 0) facts.push(item);
    finished.add(currentId);
    current = [];
    currentId = undefined;
  };
  const addLine = (line: string) => {
    lineNumber += 1;
    if (line.length === 0 || (line.length < 8 && line.trim() === '')) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new LedgerExportError(`line ${lineNumber} is not JSON`, { cause: error });
    }
    let entry: LedgerEntry;
    if (shapeOnly && hasEntryShape(raw)) {
      entry = raw;
    } else {
      const parsed = LedgerEntry.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new LedgerExportError(
          `line ${lineNumber} is not a ledger entry: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
          { cause: parsed.error },
        );
      }
      entry = parsed.data;
    }
    entries += 1;
    if (entry.opportunityId !== currentId) {
      flush();
      if (finished.has(entry.opportunityId)) {
        throw new LedgerExportError(
          `line ${lineNumber}: the entries of ${entry.opportunityId} are not together; sort the export by opportunity first`,
        );
      }
      currentId = entry.opportunityId;
    }
    current.push(entry);
  };
  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    let start = 0;
    if (carry !== undefined) {
      const end = chunk.indexOf(10);
      if (end === -1) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      addLine(Buffer.concat([carry, chunk.subarray(0, end)]).toString('utf8'));
      start = end + 1;
      carry = undefined;
    }
    for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
      addLine(chunk.toString('utf8', start, end));
      start = end + 1;
    }
    if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
  }
  if (carry !== undefined) addLine(carry.toString('utf8'));
  flush();
  return {
    facts: facts.sort((a, b) => (a.opportunityId < b.opportunityId ? -1 : 1)),
    entries,
    chains: finished.size,
  };
}
