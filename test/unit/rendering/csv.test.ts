import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutraliseCsvCell, toCsv } from '#rendering/csv.ts';

const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'];

describe('neutraliseCsvCell', () => {
  it.each(FORMULA_STARTS)('prefixes a cell starting with %j with a quote', (start) => {
    const cell = `${start}HYPERLINK("https://evil.example","click")`;

    expect(neutraliseCsvCell(cell)).toBe(`'${cell}`);
  });

  it('leaves ordinary text alone, including specials that are not first', () => {
    expect(neutraliseCsvCell('Acme Corp')).toBe('Acme Corp');
    expect(neutraliseCsvCell('a=b+c-d@e')).toBe('a=b+c-d@e');
    expect(neutraliseCsvCell('')).toBe('');
  });

  it('never returns a cell a spreadsheet would evaluate', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const cell = neutraliseCsvCell(value);
        expect(FORMULA_STARTS.some((start) => cell.startsWith(start))).toBe(false);
        expect(cell.endsWith(value)).toBe(true);
      }),
    );
  });
});

describe('toCsv', () => {
  interface Row {
    readonly partner: string;
    readonly amount: number;
    readonly note?: string;
  }
  const columns = [
    { header: 'Partner', value: (row: Row) => row.partner },
    { header: 'Amount', value: (row: Row) => row.amount },
    { header: 'Note', value: (row: Row) => row.note },
  ];

  it('writes a header row and CRLF lines, neutralising string cells but not numbers', () => {
    const csv = toCsv<Row>(
      [
        { partner: '=cmd|"/C calc"!A0', amount: -1200, note: '@SUM(1+1)' },
        { partner: 'Acme, Inc.', amount: 5000 },
      ],
      columns,
    );

    expect(csv.split('\r\n')[0]).toBe('Partner,Amount,Note');
    expect(parse(csv, { columns: true })).toEqual([
      { Partner: `'=cmd|"/C calc"!A0`, Amount: '-1200', Note: "'@SUM(1+1)" },
      { Partner: 'Acme, Inc.', Amount: '5000', Note: '' },
    ]);
  });

  it('round-trips any strings through csv-parse, each cell neutralised the same way', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 5 }), (pairs) => {
        const rows = pairs.map(([partner, note]) => ({ partner, amount: 1, note }));

        const parsed: string[][] = parse(toCsv<Row>(rows, columns), { relax_column_count: false });

        expect(parsed.slice(1)).toEqual(
          rows.map((row) => [neutraliseCsvCell(row.partner), '1', neutraliseCsvCell(row.note)]),
        );
      }),
    );
  });
});
