import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { QbrReport } from '#domain/qbr/report.ts';
import { qbrReportCsvFiles } from '#rendering/qbr-report-csv.ts';
import { FORMULA_PARTNER, SCRIPT_PARTNER, sampleQbrReport } from './qbr-report-fixture.ts';

function table(filename: string): Record<string, string>[] {
  const file = qbrReportCsvFiles(sampleQbrReport()).find((candidate) => candidate.filename === filename);
  if (file === undefined) throw new Error(`no ${filename}`);
  return parse(file.content, { columns: true, bom: true });
}

describe('the pre-QBR CSV files', () => {
  it('writes one file per table, named after the quarter', () => {
    const files = qbrReportCsvFiles(sampleQbrReport());

    expect(files.map((file) => file.filename)).toEqual([
      'qbr-2026-Q4-scorecard.csv',
      'qbr-2026-Q4-funnel.csv',
      'qbr-2026-Q4-by-campaign.csv',
      'qbr-2026-Q4-by-partner.csv',
      'qbr-2026-Q4-by-cloud-marketplace.csv',
      'qbr-2026-Q4-by-region.csv',
      'qbr-2026-Q4-attribution.csv',
      'qbr-2026-Q4-attribution-difference-deals.csv',
      'qbr-2026-Q4-roi-by-investment-type.csv',
      'qbr-2026-Q4-roi-investments.csv',
      'qbr-2026-Q4-sla.csv',
      'qbr-2026-Q4-exceptions.csv',
      'qbr-2026-Q4-findings.csv',
    ]);
    expect(files.every((file) => file.content.includes('\r\n'))).toBe(true);
  });

  it('opens the scorecard with the quarter, the days it covers and the moment, for a file read on its own', () => {
    const report = sampleQbrReport({
      quarter: '2027-Q4',
      period: {
        firstDay: '2026-11-01',
        lastDay: '2027-01-31',
        start: '2026-11-01T04:00:00.000Z',
        end: '2027-02-01T05:00:00.000Z',
      },
    });
    const scorecard = qbrReportCsvFiles(report).find((file) => file.filename === 'qbr-2027-Q4-scorecard.csv');

    const rows = parse(scorecard?.content ?? '', { columns: true, bom: true }) as Record<string, string>[];

    expect(rows.slice(0, 2)).toEqual([
      {
        Figure: 'Fiscal quarter',
        Value: '',
        'As written in the report': '2027-Q4 (1 Nov 2026 – 31 Jan 2027)',
      },
      {
        Figure: 'Figures as of',
        Value: '',
        'As written in the report': `${report.asOf} (times in ${report.timeZone})`,
      },
    ]);
  });

  it('says, per investment, whether its revenue came through the opportunity it names or its campaign', () => {
    expect(table('qbr-2026-Q4-roi-investments.csv').slice(0, 2)).toEqual([
      {
        'Investment id': 'inv-1',
        'Investment type': 'MDF',
        'Campaign id': 'cmp-1',
        'Opportunity id': '9001',
        'Attributed through': 'opportunity',
        'Invested (USD)': '20000',
        'Closed-won revenue (USD)': '100000',
      },
      {
        'Investment id': 'inv-2',
        'Investment type': 'MDF',
        'Campaign id': 'cmp-1',
        'Opportunity id': '',
        'Attributed through': 'campaign',
        'Invested (USD)': '30000',
        'Closed-won revenue (USD)': '500000',
      },
    ]);
    expect(table('qbr-2026-Q4-roi-by-investment-type.csv')[0]).toMatchObject({
      'Revenue through named opportunities (USD)': '100000',
      'Revenue through campaigns (USD)': '500000',
      'Attributed through': '1 investment through its named opportunity; 1 investment through its campaign',
    });
  });

  it('gives the funnel with the conversion from the stage before', () => {
    expect(table('qbr-2026-Q4-funnel.csv')).toEqual([
      {
        Stage: 'Registrations submitted',
        Count: '40',
        'Conversion from previous stage': '',
        'Amount (USD)': '',
      },
      { Stage: 'Approved', Count: '30', 'Conversion from previous stage': '0.75', 'Amount (USD)': '' },
      { Stage: 'Rejected', Count: '6', 'Conversion from previous stage': '', 'Amount (USD)': '' },
      { Stage: 'Opportunities', Count: '24', 'Conversion from previous stage': '0.8', 'Amount (USD)': '' },
      {
        Stage: 'Closed-won',
        Count: '12',
        'Conversion from previous stage': '0.5',
        'Amount (USD)': '1250000.5',
      },
    ]);
  });

  it('starts every file with the UTF-8 byte order mark, so Excel reads a partner’s accents and dashes as written', () => {
    const sample = sampleQbrReport();
    const report = sampleQbrReport({
      byPartner: [
        { ...(sample.byPartner[0] as QbrReport['byPartner'][number]), label: 'Müller & Søn — Zürich' },
      ],
    });

    const files = qbrReportCsvFiles(report);

    for (const file of files) expect(file.content.startsWith('\uFEFF'), file.filename).toBe(true);
    // Excel without the mark reads UTF-8 as Windows-1252: "MÃ¼ller".
    const partnerFile = files.find((file) => file.filename === 'qbr-2026-Q4-by-partner.csv');
    const rows = parse(partnerFile?.content ?? '', { columns: true, bom: true }) as Record<string, string>[];
    expect(rows[0]?.Partner).toBe('Müller & Søn — Zürich');
  });

  it('shows a partner named like a formula as text, never as a formula', () => {
    const partners = table('qbr-2026-Q4-by-partner.csv').map((row) => row.Partner);

    expect(partners).toEqual(['Acme Cloud Partners', `'${FORMULA_PARTNER}`, SCRIPT_PARTNER]);
  });

  it('neutralises every text cell a spreadsheet would run, and keeps amounts as numbers', () => {
    const report = sampleQbrReport();
    const negative = sampleQbrReport({
      attribution: { ...report.attribution, difference: -150_000 },
    });
    const attribution = qbrReportCsvFiles(negative).find((file) =>
      file.filename.endsWith('-attribution.csv'),
    );
    const cells = qbrReportCsvFiles(report).flatMap((file) =>
      (parse(file.content, { bom: true }) as string[][]).flat(),
    );

    expect(cells.filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
    expect(table('qbr-2026-Q4-exceptions.csv')[0]?.Reason).toBe("'+ customer asked for this partner");
    expect(table('qbr-2026-Q4-attribution-difference-deals.csv')[1]?.Explanation).toBe(
      "'-2+3 counted as partner by the CRO view only",
    );
    expect(parse(attribution?.content ?? '', { columns: true, bom: true })).toContainEqual({
      View: 'Difference (sourced minus CRO view)',
      'Closed-won revenue (USD)': '-150000',
      Note: '',
    });
  });

  it('ranks the findings as the report does, with evidence and fix', () => {
    const findings = table('qbr-2026-Q4-findings.csv');

    expect(findings.map((row) => [row.Rank, row.Severity, row.Code])).toEqual([
      ['1', 'critical', 'LEDGER_INTEGRITY'],
      ['2', 'high', 'ATTRIBUTION_DRIFT'],
      ['3', 'medium', 'SLA_BREACH'],
      ['4', 'low', 'POLICY_EXCEPTION'],
    ]);
    // Evidence reads as labelled text (names spelled out, nothing empty left blank).
    expect(findings[1]?.Evidence).toBe(
      `Ledger partner: Acme Cloud Partners; Partner in HubSpot (company id): ${FORMULA_PARTNER}`,
    );
    expect(findings[3]?.Evidence).toBe('Rule of the verdict: competing-partner; Reason: none');
    expect(findings[0]?.['Fix before the meeting']).toBe(
      'Restore the entry from the digest and run dealreg ledger verify.',
    );
  });
});
