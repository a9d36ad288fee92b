#!/usr/bin/env node
/**
 * The `dealreg` command line. Each capability registers its commands from `bin/commands/`.
 */
import { Command, CommanderError } from 'commander';
import { groupsFor } from './commands/index.ts';

const program = new Command()
  .name('dealreg')
  .description('Partner deal-registration governance: intake, approvals, attribution ledger, pre-QBR check')
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
    process.exitCode = 1;
  }
}
