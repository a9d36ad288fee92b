import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { summarise } from '#bin/commands/qbr-actions.ts';
import type { QbrReport } from '#domain/qbr/report.ts';
import { headlineFigures, integrityFigure, slaFigures } from '#rendering/qbr-headline-figures.ts';
import { qbrReportFiles, REPORT_HTML, REPORT_JSON } from '#rendering/qbr-report-files.ts';
import { report } from '#test/unit/qbr/qbr-fixtures.ts';
import { scenarioChains, scenarioCrm, scenarioRegistrations } from '#test/unit/qbr/qbr-scenario.ts';

/** The scenario quarter, with two broken chains: O1 altered, and O9 deleted (only a digest names it). */
function scenarioWithBrokenChains(): QbrReport {
  const chains = scenarioChains();
  return report({
    chains,
    registrations: scenarioRegistrations(),
    crm: scenarioCrm(),
    integrity: {
      // every chain of the scenario, plus O9 that only a digest still names
      chains: chains.length + 1,
      chainsNotInLedger: 1,
      entries: chains.flat().length,
      broken: [
        { opportunityId: 'O1', sequence: 2, problem: 'hash-mismatch', detail: 'content was altered' },
        { opportunityId: 'O9', sequence: 1, problem: 'chain-deleted', detail: 'digest 1 recorded 3 entries' },
      ],
    },
  });
}

const unescapeHtml = (text: string) =>
  text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&#96;', '`')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** A cell as the CSV writes it: text that a spreadsheet would run as a formula is quoted (DESIGN §3.8). */
const csvText = (text: string) => (/^[=+\-@]/.test(text) ? `'${text}` : text);

function at(document: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], document);
}

describe('the figures of one report', () => {
  it('read the same in the HTML page, the CSV tables, the JSON document and the CLI summary', async () => {
    const computed = scenarioWithBrokenChains();
    const files = await qbrReportFiles(computed);
    const file = (name: string) => String(files.find((candidate) => candidate.name === name)?.content);
    const html = unescapeHtml(file(REPORT_HTML));
    const json = JSON.parse(file(REPORT_JSON)) as unknown;
    const scorecard = parse(file('qbr-2026-Q4-scorecard.csv'), { columns: true, bom: true }) as Record<
      string,
      string
    >[];
    const slaCsv = parse(file('qbr-2026-Q4-sla.csv'), { columns: true, bom: true }) as Record<
      string,
      string
    >[];
    const cli = summarise(computed);

    const figures = headlineFigures(computed);
    for (const figure of figures) {
      // JSON: the number itself; CSV: the same number and words; HTML and CLI: the same words.
      expect(at(json, figure.path), figure.key).toEqual(figure.value);
      expect(scorecard, figure.key).toContainEqual({
        Figure: figure.label,
        Value: figure.value === null ? '' : String(figure.value),
        'As written in the report': csvText(figure.text),
      });
      expect(html, figure.key).toContain(figure.label);
      expect(html, figure.key).toContain(figure.text);
      expect(cli, figure.key).toContain(`${figure.label}: ${figure.text}`);
    }
    for (const figure of slaFigures(computed)) {
      expect(slaCsv).toContainEqual({
        Measure: figure.label,
        Value: figure.value === null ? '' : String(figure.value),
        'As written in the report': csvText(figure.text),
      });
      expect(html).toContain(figure.text);
      expect(cli).toContain(`${figure.label}: ${figure.text}`);
    }

    // Hand-computed: 2 broken of the ledger's chains plus O9, which only a digest names.
    const chains = scenarioChains().length + 1;
    expect(integrityFigure(computed).text).toBe(
      `2 of ${chains} chains broken, 1 of them no longer in the ledger (${scenarioChains().flat().length} entries); no digests to check against`,
    );
    // SLA: R3 (late), R9 (default) and R6 (waiting past its deadline) are the breaches; reminders
    // 1 + 2 + 1 = 4 and escalations 1 + 1 + 0 = 2 over the same five approvals (see qbr-metrics);
    // within SLA R1 and R4 of 4 decisions + R6 waiting past its deadline = 2 of 5 = 40.0%.
    expect(slaFigures(computed).map((figure) => [figure.key, figure.text])).toEqual([
      ['sla-approvals', '5 (4 decided, 1 waiting)'],
      ['sla-within', '2 of 5 (40.0%; 4 decided, 1 still waiting past the deadline)'],
      ['sla-breaches', '3 (1 still waiting past the deadline)'],
      ['sla-reminders', '4'],
      ['sla-escalations', '2'],
      ['sla-defaulted', '1'],
      ['sla-median', '20.0 hours'],
    ]);
    expect(computed.findings.filter((finding) => finding.code === 'SLA_BREACH')).toHaveLength(3);
  });

  it('count one deal as "1 deal", not "1 deals"', () => {
    const computed = scenarioWithBrokenChains();
    const one: QbrReport = {
      ...computed,
      funnel: { ...computed.funnel, closedWon: 1 },
      attribution: {
        ...computed.attribution,
        differenceDeals: computed.attribution.differenceDeals.slice(0, 1),
      },
    };
    const text = (key: string) => headlineFigures(one).find((figure) => figure.key === key)?.text;

    expect(one.attribution.differenceDeals).toHaveLength(1);
    expect(text('closed-won-of-cohort')).toMatch(/ \(1 deal\)$/);
    expect(text('sourced-minus-cro')).toMatch(/ \(1 deal\)$/);
  });

  it('give ROI as the same percentage in the email and the CLI summary, never as a multiple', async () => {
    const computed = scenarioWithBrokenChains();
    const files = await qbrReportFiles(computed);
    const html = unescapeHtml(String(files.find((file) => file.name === REPORT_HTML)?.content));
    const cli = summarise(computed);

    // Hand-computed: events (75,000 − 30,000) / 30,000 = 150%; mdf (25,000 − 10,000) / 10,000 =
    // 150%; spiff (50,000 − 5,000) / 5,000 = 900%.
    expect(cli).toContain('ROI          events 150.0% · mdf 150.0% · spiff 900.0%');
    expect(cli).not.toMatch(/\d×/);
    for (const text of ['150.0%', '900.0%']) expect(html).toContain(text);
  });
});
