import type { Command } from 'commander';
import { z } from 'zod';
import { readLocalDescription } from './hubspot.ts';

const sweepResultSchema = z.object({
  formGuid: z.string(),
  completed: z.boolean(),
  pages: z.number(),
  scanned: z.number(),
  accepted: z.number(),
  duplicate: z.number(),
  rejected: z.number(),
  failed: z.number(),
  malformed: z.number(),
  watermark: z.number().optional(),
});
const backfillSummarySchema = z.object({ results: z.array(sweepResultSchema), skipped: z.array(z.string()) });

/**
 * `dealreg sweep [--form GUID]`: runs the running local stack's scheduled backfill once, the same
 * handler EventBridge Scheduler invokes in AWS, so what it takes in is recorded as `backfill`.
 */
export function registerSweepCommand(program: Command): void {
  program
    .command('sweep')
    .description(
      "run the local stack's backfill now: feed the form submissions it never received through intake",
    )
    .option('--form <guid>', 'sweep only this form (default: the forms the backfill is configured with)')
    .option('--data-dir <dir>', 'where the local stack keeps local.json', '.dealreg')
    .action(async (options: { form?: string; dataDir: string }) => {
      const local = await readLocalDescription(options.dataDir);
      if (local?.api === undefined) {
        throw new Error(
          `dealreg sweep runs the local stack's backfill: start it with \`npx dealreg local\` (no ${options.dataDir}/local.json)`,
        );
      }
      let response: Response;
      try {
        response = await fetch(`${local.api}/_local/backfill`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(options.form === undefined ? {} : { formGuids: [options.form] }),
        });
      } catch (error) {
        throw new Error(
          `the local stack at ${local.api} does not answer; is \`npx dealreg local\` still running?`,
          {
            cause: error,
          },
        );
      }
      const text = await response.text();
      if (!response.ok)
        throw new Error(`the local backfill answered ${response.status}: ${text.slice(0, 300)}`);
      const summary = backfillSummarySchema.parse(JSON.parse(text));
      for (const result of summary.results) {
        console.log(
          `Swept form ${result.formGuid}: ${result.scanned} submission(s) in ${result.pages} page(s) — ${result.accepted} new, ${result.rejected} new but invalid, ${result.duplicate} already received, ${result.failed} failed, ${result.malformed} malformed.`,
        );
        if (result.watermark !== undefined)
          console.log(`Watermark: ${new Date(result.watermark).toISOString()}`);
      }
      for (const formGuid of summary.skipped)
        console.log(`Skipped form ${formGuid}: another backfill run is sweeping it.`);
      if (summary.results.some((result) => result.failed > 0)) process.exitCode = 1;
    });
}
