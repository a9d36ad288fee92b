/**
 * `node --import ./test/support/loaded-modules-hook.ts …` writes the URL of every module the
 * process loaded to the file named by `LOADED_MODULES_FILE` when it exits: for asserting what a
 * command pulls in at start-up.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.LOADED_MODULES_FILE;
const loaded: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => {
  if (file !== undefined) writeFileSync(file, loaded.join('\n'));
});
