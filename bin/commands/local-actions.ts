import type { Command } from 'commander';
import { Duration } from 'luxon';
import { runDemo } from '#local/demo.ts';
import { startLocalStack } from '#local/stack.ts';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    throw new Error(`--port must be a whole number from 0 to 65535, got "${value}"`);
  }
  return parsed;
}

function digestInterval(value: string): number {
  const duration = Duration.fromISO(value);
  const ms = duration.isValid ? duration.toMillis() : Number.NaN;
  if (!(ms >= 1000)) {
    throw new Error(
      `--digest-every must be an ISO 8601 duration of at least one second such as PT1H, got "${value}"`,
    );
  }
  return ms;
}

interface LocalOptions {
  port?: number;
  empty?: boolean;
  dataDir: string;
  policy?: string;
  digestEvery?: number;
}

/** `dealreg local`: runs the whole system on this machine until Ctrl-C. */
export function registerLocalCommand(program: Command): void {
  program
    .command('local')
    .description('run Dealreg on this machine: DynamoDB Local, the API, the mailbox and the workflows')
    .option('--port <n>', 'port of the local API (default: a free port)', port)
    .option('--empty', 'start without the demo data')
    .option('--data-dir <dir>', 'where local state and local.json go', '.dealreg')
    .option('--policy <file>', 'the policy the workflow enforces (default: policy/default-policy.json)')
    .option(
      '--digest-every <duration>',
      'how often a ledger digest is written under <data dir>/ledger-digests, as ISO 8601 (default: PT1H)',
      digestInterval,
    )
    .action(async (options: LocalOptions) => {
      const stack = await startLocalStack({
        dataDir: options.dataDir,
        digestIntervalMs: options.digestEvery,
        policyFile: options.policy,
        demoData: options.empty !== true,
        port: options.port,
      });
      const { description } = stack;
      console.log(`Dealreg local stack ready at ${description.api}`);
      console.log(`  form submissions  POST ${description.api}/hubspot/form-submissions`);
      console.log(`  mailbox           ${description.api}/_local/mail/ui`);
      console.log(`  HubSpot sandbox   ${description.hubspot.url} (form ${description.hubspot.formGuid})`);
      console.log(`  DynamoDB Local    ${description.dynamodb.endpoint}`);
      console.log(`  settings          ${options.dataDir}/local.json`);
      if (options.empty !== true) await runDemo(stack, (line) => console.log(line));
      console.log('Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        const shutdown = () => {
          process.off('SIGINT', shutdown);
          process.off('SIGTERM', shutdown);
          resolve();
        };
        process.on('SIGINT', shutdown);
        process.on('SIGTERM', shutdown);
      });
      await stack.stop();
      console.log('Dealreg local stack stopped.');
    });
}
