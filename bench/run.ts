/**
 * `npm run bench [-- name-filter]`: runs every `bench/*.bench.ts` one after another, each in its
 * own Node.js process so one benchmark's heap and event loop do not disturb the next.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const filter = process.argv[2];
const directory = import.meta.dirname;
const benches = readdirSync(directory)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filter === undefined || file.includes(filter))
  .sort();

if (benches.length === 0) {
  console.error(
    `no benchmark matches "${filter}"; available: ${readdirSync(directory)
      .filter((f) => f.endsWith('.bench.ts'))
      .join(', ')}`,
  );
  process.exit(2);
}

console.log(
  `# Dealreg benchmarks — ${new Date().toISOString()} — Node.js ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
);
let failed = 0;
for (const bench of benches) {
  console.log(`\n## ${bench}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(directory, bench)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.log(`(${bench} exited with ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
