import { describe, expect, it } from 'vitest';
import { factsFromJsonLines, LedgerExportError } from '#use-cases/qbr-ledger-export.ts';
import { asOf } from './qbr-fixtures.ts';
import { scenarioChains } from './qbr-scenario.ts';

async function* chunksOf(text: string, size = 97): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text);
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

const at = { asOf, knownAt: asOf };
const exportText = (chains = scenarioChains()) =>
  chains
    .flat()
    .map((entry) => `${JSON.stringify(entry)}\n`)
    .join('');

describe('pre-QBR facts from a ledger export', () => {
  it('projects every chain of an export split at arbitrary byte boundaries, both ways of checking alike', async () => {
    const full = await factsFromJsonLines(chunksOf(exportText()), at);
    const shape = await factsFromJsonLines(chunksOf(exportText(), 13), at, { validation: 'shape' });
    // 6 chains: O1 (5 entries), O2 (3), O3 (5), O4 (4), campaign:C1 (2), campaign:C2 (1) = 20 entries
    expect(full.chains).toBe(6);
    expect(full.entries).toBe(20);
    expect(full.facts.map((facts) => facts.opportunityId)).toEqual([
      'O1',
      'O2',
      'O3',
      'O4',
      'campaign:C1',
      'campaign:C2',
    ]);
    expect(shape).toEqual(full);
  });

  it('names a line that is not a ledger entry', async () => {
    const lines = exportText().split('\n');
    lines[2] = JSON.stringify({ ...JSON.parse(lines[2] ?? '{}'), effectiveAt: 'yesterday' });
    const broken = lines.join('\n');
    await expect(factsFromJsonLines(chunksOf(broken), at)).rejects.toThrow(
      /line 3 is not a ledger entry: effectiveAt/,
    );
    await expect(factsFromJsonLines(chunksOf(broken), at, { validation: 'shape' })).rejects.toThrow(
      LedgerExportError,
    );
  });

  it('refuses an export whose chains are interleaved', async () => {
    const [o1, o2] = scenarioChains();
    const interleaved = [o1?.[0], o2?.[0], o1?.[1]].map((entry) => `${JSON.stringify(entry)}\n`).join('');
    await expect(factsFromJsonLines(chunksOf(interleaved), at)).rejects.toThrow(
      /entries of O1 are not together/,
    );
  });
});
