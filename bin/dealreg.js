#!/usr/bin/env node
/**
 * What `npx dealreg` runs. Plain JavaScript on purpose, and written so that any Node.js can parse
 * it: under a Node.js older than the project's engine (package.json `engines.node`), it runs
 * itself again with the project's own Node.js (the `node` npm package, as `npm` scripts find it
 * in `node_modules/.bin`), passing the arguments, the terminal and the exit code through.
 * Otherwise it turns Node's compile cache on before the first TypeScript file is loaded, so later
 * runs skip stripping the types of the CLI's modules again (half the start-up time of
 * `dealreg --help`). The CLI itself is `dealreg.ts`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const launcher = fileURLToPath(import.meta.url);
const project = dirname(dirname(launcher));

/** The lowest major version `engines.node` allows (">=24" gives 24). */
function requiredMajor() {
  try {
    const engine = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).engines?.node;
    const match = /(\d+)/.exec(String(engine ?? ''));
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

const required = requiredMajor();
const running = Number(process.versions.node.split('.')[0]);

if (running < required) {
  const projectNode = join(project, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(projectNode)) {
    process.stderr.write(
      `dealreg needs Node.js ${required} or later and this is Node.js ${process.version}; run npm install in ${project} to install the project's Node.js ${required} (or put Node.js ${required} first on PATH)\n`,
    );
    process.exit(2);
  }
  const child = spawn(projectNode, [launcher, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the whole foreground process group, the CLI included: wait for it to stop.
  // A signal sent to this process alone is passed on.
  const passOn = (signal) => {
    if (signal !== 'SIGINT') child.kill(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, passOn);
  child.on('error', (error) => {
    process.stderr.write(`dealreg could not start ${projectNode}: ${error.message}\n`);
    process.exit(2);
  });
  child.on('exit', (code, signal) => {
    for (const name of signals) process.off(name, passOn);
    if (signal !== null) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  nodeModule.enableCompileCache?.();
  await import('./dealreg.ts');
}
