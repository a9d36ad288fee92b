import { z } from 'zod';
import { counted } from '#domain/plural.ts';
import { readLocalDescription } from './hubspot-settings.ts';
import type { SweepOptions } from './sweep.ts';
import { UsageError } from './usage-error.ts';

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

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `dealreg sweep`: asks the running local stack to run its backfill once and prints what it took in. */
export async function sweep(options: SweepOptions): Promise<void> {
  if (options.form?.trim() === '') {
    throw new UsageError("--form is empty; name a form's GUID, or leave --form out to sweep every form");
  }
  const local = await readLocalDescription(options.dataDir);
  if (local === undefined) {
    throw new UsageError(
      `dealreg sweep runs the local stack's backfill: start it with \`npx dealreg local\` (no ${options.dataDir}/local.json)`,
    );
  }
  if (local.api === undefined) {
    throw new UsageError(
      `${options.dataDir}/local.json names no local API (api): restart the local stack from this checkout (npx dealreg local)`,
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
  if (response.status === 404) {
    // The form named with --form is not in the portal: the message says which and what to name.
    const refusal = z.object({ message: z.string() }).safeParse(parsedJson(text));
    throw new UsageError(
      `--form ${options.form}: ${refusal.success ? refusal.data.message : text.slice(0, 300)}`,
    );
  }
  if (!response.ok) throw new Error(`the local backfill answered ${response.status}: ${text.slice(0, 300)}`);
  const summary = backfillSummarySchema.safeParse(parsedJson(text));
  if (!summary.success) {
    throw new Error(
      `the local stack at ${local.api} answered the backfill with a summary this CLI does not read; restart \`npx dealreg local\` from this checkout`,
    );
  }
  for (const result of summary.data.results) {
    console.log(
      `Swept form ${result.formGuid}: ${counted(result.scanned, 'submission')} in ${counted(result.pages, 'page')} — ${result.accepted} new, ${result.rejected} new but invalid, ${result.duplicate} already received, ${result.failed} failed, ${result.malformed} malformed.`,
    );
    if (result.watermark !== undefined) console.log(`Watermark: ${new Date(result.watermark).toISOString()}`);
  }
  for (const formGuid of summary.data.skipped)
    console.log(`Skipped form ${formGuid}: another backfill run is sweeping it.`);
  if (summary.data.results.some((result) => result.failed > 0)) process.exitCode = 1;
}
