import { type LedgerEntry, ledgerEntrySchema } from '#domain/ledger/entry.ts';
import type { AsOf } from '#domain/ledger/projection.ts';
import { hasEntryShape } from '#domain/qbr/entry-shape.ts';
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
type ExportValidation = 'full' | 'shape';

interface ExportFacts {
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
      const parsed = ledgerEntrySchema.safeParse(raw);
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
