import type { Command } from 'commander';

export interface SweepOptions {
  readonly form?: string;
  readonly dataDir: string;
}

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
    .action(async (options: SweepOptions) => (await import('./sweep-actions.ts')).sweep(options));
}
