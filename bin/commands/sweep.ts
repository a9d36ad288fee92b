import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { z } from 'zod';
import { DynamoDbSweepStateStore } from '#adapters/hubspot/dynamodb-sweep-state-store.ts';
import { HubSpotConfigurationError } from '#adapters/hubspot/errors.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import type { FormSubmission } from '#domain/form-submission.ts';
import { hubSpotSignatureV3 } from '#http/hubspot-signature.ts';
import { sweeperStateTable } from '#lib/tables/index.ts';
import { localClientConfig } from '#local/create-tables.ts';
import { type IntakeOutcome, sweepFormSubmissions } from '#use-cases/sweep-form-submissions.ts';
import {
  connect,
  type HubSpotCommandOptions,
  resolveHubSpotSettings,
  withHubSpotOptions,
} from './hubspot.ts';

const localStackSchema = z.object({
  api: z.string(),
  webhookClientSecret: z.string(),
  dynamodb: z.object({ endpoint: z.string() }),
  tables: z.record(z.string(), z.string()),
  hubspot: z.object({ formGuid: z.string().optional() }).optional(),
});

const intakeAnswerSchema = z.object({ outcome: z.enum(['accepted', 'duplicate', 'rejected']) });

/**
 * Intake through the local API, exactly as the workflow webhook delivers (signed with the local
 * client secret), so the submission takes the very path a webhook would.
 */
export function localApiIntake(api: string, clientSecret: string) {
  const url = `${api.replace(/\/+$/, '')}/hubspot/form-submissions`;
  return async (submission: FormSubmission): Promise<{ outcome: IntakeOutcome }> => {
    const body = JSON.stringify(submission);
    const timestamp = String(Date.now());
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hubspot-request-timestamp': timestamp,
        'x-hubspot-signature-v3': hubSpotSignatureV3({ method: 'POST', url, body, timestamp }, clientSecret),
      },
      body,
    });
    const text = await response.text();
    if (response.status !== 200 && response.status !== 202) {
      throw new Error(`the intake answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return intakeAnswerSchema.parse(JSON.parse(text));
  };
}

/** `dealreg sweep [--form GUID]`: one backfill run against the local stack. */
export function registerSweepCommand(program: Command): void {
  withHubSpotOptions(
    program
      .command('sweep')
      .description(
        "feed the form's submissions that the local stack has not received through intake (the scheduled backfill, run once)",
      )
      .option(
        '--form <guid>',
        'the deal-registration form (default: DEALREG_FORM_GUID, then the local sandbox form)',
      )
      .option('--overlap <minutes>', 'look again this many minutes below the watermark', '15'),
  ).action(async (options: HubSpotCommandOptions & { form?: string; overlap: string }) => {
    const file = join(options.dataDir, 'local.json');
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new HubSpotConfigurationError(
        `dealreg sweep runs against the local stack: start it with \`npx dealreg local\` (could not read ${file})`,
        { cause: error },
      );
    }
    const local = localStackSchema.safeParse(raw);
    if (!local.success) {
      throw new HubSpotConfigurationError(
        `${file}: ${local.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    }
    const formGuid = options.form ?? process.env.DEALREG_FORM_GUID ?? local.data.hubspot?.formGuid;
    if (formGuid === undefined || formGuid.trim() === '') {
      throw new HubSpotConfigurationError('no form to sweep: pass --form GUID or set DEALREG_FORM_GUID');
    }
    const overlapMinutes = Number(options.overlap);
    if (!Number.isFinite(overlapMinutes) || overlapMinutes < 0) {
      throw new HubSpotConfigurationError(
        `--overlap must be a number of minutes ≥ 0, got "${options.overlap}"`,
      );
    }
    const settings = await resolveHubSpotSettings(options);
    if (settings.portalId === undefined) {
      throw new HubSpotConfigurationError('no portal id: pass --portal-id or set HUBSPOT_PORTAL_ID');
    }
    const tableName = local.data.tables[sweeperStateTable.logicalName];
    if (tableName === undefined) {
      throw new HubSpotConfigurationError(`${file} names no ${sweeperStateTable.logicalName} table`);
    }
    const dynamodb = new DynamoDBClient(localClientConfig(local.data.dynamodb.endpoint));
    try {
      const result = await sweepFormSubmissions(
        {
          submissions: new HubSpotAdapter(connect(settings), { portalId: settings.portalId }),
          state: new DynamoDbSweepStateStore(DynamoDBDocumentClient.from(dynamodb), tableName),
          intake: localApiIntake(local.data.api, local.data.webhookClientSecret),
          now: Date.now,
          onProblem: (problem) => console.error(`  ${problem.conversionId}: ${problem.reason}`),
        },
        { formGuid, overlapMs: overlapMinutes * 60_000 },
      );
      console.log(
        `Swept form ${formGuid}: ${result.scanned} submission(s) in ${result.pages} page(s) — ${result.accepted} new, ${result.rejected} new but invalid, ${result.duplicate} already received, ${result.failed} failed, ${result.malformed} malformed.`,
      );
      if (result.watermark !== undefined) {
        console.log(`Watermark: ${new Date(result.watermark).toISOString()}`);
      }
      if (result.failed > 0) process.exitCode = 1;
    } finally {
      dynamodb.destroy();
    }
  });
}
