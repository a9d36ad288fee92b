import { stringify } from 'csv-stringify/sync';

/**
 * First characters that make a spreadsheet (Excel, Google Sheets, LibreOffice, Numbers) read a
 * cell as a formula: `= + - @`, tab and carriage return, and the full-width forms Numbers
 * normalises. The same set csv-stringify's `escape_formulas` uses.
 */
const FORMULA_TRIGGER = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * Neutralises one CSV cell taken from input (a partner's company name, a deal description):
 * a cell a spreadsheet would run as a formula gets a leading `'`, so it is shown as text.
 * Numbers are not strings and are never passed here, so `-1200` as an amount stays a number.
 */
export function neutraliseCsvCell(value: string): string {
  return FORMULA_TRIGGER.test(value) ? `'${value}` : value;
}

export interface CsvColumn<Row> {
  readonly header: string;
  readonly value: (row: Row) => string | number | null | undefined;
}

/**
 * Renders rows as CSV (RFC 4180 quoting, CRLF line ends, header row) for email attachments and
 * downloads, with every string cell neutralised against formula injection.
 */
export function toCsv<Row>(rows: readonly Row[], columns: readonly CsvColumn<Row>[]): string {
  return stringify(
    rows.map((row) => columns.map((column) => column.value(row) ?? '')),
    {
      header: true,
      columns: columns.map((column) => column.header),
      escape_formulas: true,
      record_delimiter: 'windows',
    },
  );
}
