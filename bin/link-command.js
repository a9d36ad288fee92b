#!/usr/bin/env node
/**
 * Run after `npm install` (the `postinstall` script): links `node_modules/.bin/dealreg` to the CLI.
 *
 * `npx dealreg` then finds the command in the project's own bin directory and runs it at once.
 * A project whose package.json declares the `dealreg` bin is instead "installed" by npx into
 * its cache on every run (npm's libnpmexec: a local package's bin is self-executed through
 * Arborist), and reading the whole `node_modules` tree took a second before the CLI started.
 * Plain JavaScript, so it runs on whichever Node.js runs `npm install`.
 */
import { chmodSync, lstatSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const project = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(project, 'bin', 'dealreg.js');
const binDirectory = join(project, 'node_modules', '.bin');
const link = join(binDirectory, 'dealreg');

mkdirSync(binDirectory, { recursive: true });
try {
  lstatSync(link);
  rmSync(link);
} catch {
  // no link yet
}
symlinkSync(relative(binDirectory, cli), link);
chmodSync(cli, 0o755);
