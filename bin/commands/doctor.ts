import { type Command, Option } from 'commander';

/** The options of `dealreg doctor`, as commander parses them. */
export interface DoctorOptions {
  readonly stage: string;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly format: 'text' | 'json';
}

/**
 * `dealreg doctor --stage NAME [--region R] [--profile P] [--format text|json]`: checks a deployed
 * stage with the caller's AWS credentials. The AWS clients load only when it runs.
 */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'check a deployed stage: stacks, HubSpot secrets and token scopes, SES, the API Gateway CloudWatch role, the alarm subscription and the last backfill and digest runs',
    )
    .requiredOption('--stage <stage>', 'the stage deployed with -c dealreg:stage=…, such as prod')
    .option('--region <region>', "AWS region (default: AWS_REGION, then your profile's region)")
    .option(
      '--profile <profile>',
      'AWS named profile (default: AWS_PROFILE, then the default credential chain)',
    )
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json']).default('text'))
    .action(async (options: DoctorOptions) => {
      const { runDoctor } = await import('./doctor-run.ts');
      process.exitCode = await runDoctor(options);
    });
}
