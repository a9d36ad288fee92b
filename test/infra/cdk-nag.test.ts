import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';

interface Acknowledgement {
  readonly path: string;
  readonly ruleId: string;
  readonly reason: string;
}

let synthesized: SynthesizedApp;

beforeAll(() => {
  // Synthesis runs the cdk-nag plugin registered by createDealregApp, and throws on any
  // unacknowledged error.
  synthesized = synthesizeDealregApp({ bundle: true });
}, 600_000);

function acknowledgements(): Acknowledgement[] {
  return synthesized.app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          ruleId: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AWS Solutions checks', () => {
  it('find no unacknowledged error or warning in the app', () => {
    const { app } = synthesized;

    const report = new AwsSolutionsChecks().validateScope(app);

    expect(
      report.violations.map(
        (violation) =>
          `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('run as a validation plugin of the synthesis and report nothing', () => {
    const { app } = synthesized;

    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; violations: unknown[] }>;
    };

    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
  });

  it('acknowledge each finding with a specific reason', () => {
    const found = acknowledgements();

    expect(found.length).toBeGreaterThan(0);
    for (const acknowledgement of found) {
      expect(acknowledgement.ruleId).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(
        acknowledgement.reason.length,
        `${acknowledgement.ruleId} at ${acknowledgement.path}`,
      ).toBeGreaterThan(80);
    }
    // A reason repeats only as one decision: two related rules on the same construct (the webhook
    // method's APIG4 and COG4), or one rule on every instance of a construct class (each
    // DealregFunction role's X-Ray grant) — never as a catch-all pasted across the app.
    const byReason = Map.groupBy(found, (acknowledgement) => acknowledgement.reason);
    for (const [reason, uses] of byReason) {
      const onePlace = new Set(uses.map((use) => use.path)).size === 1;
      const oneRule = new Set(uses.map((use) => use.ruleId)).size === 1;
      expect(onePlace || oneRule, reason).toBe(true);
    }
  });

  it('acknowledge only findings the rules would otherwise raise there', () => {
    const { app } = synthesized;
    // The same checks, blind to acknowledgements.
    const unacknowledging = new AwsSolutionsChecks();
    Reflect.set(unacknowledging, 'isAcknowledged', () => false);

    const raised = unacknowledging.validateScope(app).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        ruleId: violation.ruleName,
        path: resource.constructPath ?? '',
      })),
    );

    for (const acknowledgement of acknowledgements()) {
      const silenced = raised.filter(
        (finding) =>
          finding.ruleId === acknowledgement.ruleId &&
          (finding.path === acknowledgement.path || finding.path.startsWith(`${acknowledgement.path}/`)),
      );
      expect(silenced, `${acknowledgement.ruleId} at ${acknowledgement.path} silences nothing`).not.toEqual(
        [],
      );
    }
  });

  it('acknowledge nothing at stack or app level', () => {
    const { app, stateful, stateless } = synthesized;
    const broad = new Set([app.node.path, stateful.node.path, stateless.node.path]);

    expect(acknowledgements().filter((a) => broad.has(a.path))).toEqual([]);
  });
});
