#!/usr/bin/env node
/**
 * The `dealreg` command line. Each capability registers its commands from `bin/commands/`; a
 * command's implementation is imported only when it runs, so `--help` loads commander alone.
 *
 * Exit codes (README, "Exit codes"): 0 done; 1 a check failed (a broken ledger chain, an invalid
 * policy under `policy validate`, …); 2 a bad argument, option, file or setting; 3 the command
 * could not finish (a service did not answer, or an unexpected fault).
 */
import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { groupsFor } from './commands/index.ts';

const program = new Command()
  .name('dealreg')
  .description('Partner deal-registration governance: intake, approvals, attribution ledger, pre-QBR check')
  .version(packageJson.version, '-V, --version', 'print the version of dealreg')
  .showHelpAfterError()
  // Commander's own errors (unknown option, missing argument, …) carry the prefix every other
  // error of the CLI does (README, "Exit codes"), in place of its "error: ".
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'dealreg: ')) })
  .exitOverride();

try {
  for (const load of groupsFor(process.argv.slice(2))) (await load())(program);
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    // Loaded only on failure, so that `--help` stays commander alone.
    const { describeFailure } = await import('./commands/failure.ts');
    const { message, exitCode } = describeFailure(error);
    console.error(`dealreg: ${message}`);
    if (process.env.DEALREG_DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = exitCode;
  }
}
