#!/usr/bin/env node
/**
 * The `dealreg` command line. Each capability registers its commands from `bin/commands/`; a
 * command's implementation is imported only when it runs, so `--help` loads commander alone.
 *
 * Exit codes: 0 done; 1 the command failed (for `ledger verify` and `qbr check`: a ledger chain
 * is broken); 2 a bad argument or option.
 */
import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { groupsFor } from './commands/index.ts';
import { UsageError } from './commands/usage-error.ts';

const program = new Command()
  .name('dealreg')
  .description('Partner deal-registration governance: intake, approvals, attribution ledger, pre-QBR check')
  .version(packageJson.version, '-V, --version', 'print the version of dealreg')
  .showHelpAfterError()
  .exitOverride();

try {
  for (const load of groupsFor(process.argv.slice(2))) (await load())(program);
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    console.error(`dealreg: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
