import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dealreg } from '#test/support/dealreg-cli.ts';

let holder: Server;
let port: number;

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  port = (holder.address() as AddressInfo).port;
});

afterAll(() => {
  holder.close();
});

// A bad argument is refused before anything is written (README, "Exit codes").
describe('dealreg local --port that another program holds', () => {
  it('exits 2 naming the port and leaves a new data directory uncreated', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'dealreg-port-taken-')), 'data');

    const refused = await dealreg(['local', '--empty', '--port', String(port), '--data-dir', dataDir]);

    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toBe(
      `dealreg: --port ${port} is already in use: choose another --port, or leave it out to take a free port\n`,
    );
    await expect(readdir(dataDir)).rejects.toThrow(/ENOENT/);
  }, 90_000);

  it('writes nothing in an empty data directory: no keys, tables, lock or local.json', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dealreg-port-taken-'));

    const refused = await dealreg(['local', '--port', String(port), '--data-dir', dataDir]);

    expect(refused.code, refused.stderr).toBe(2);
    expect(await readdir(dataDir)).toEqual([]);
  }, 90_000);

  it('names the stack that holds the data directory first, when that stack holds the port too', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dealreg-port-taken-'));
    // A running process (this one) holds the directory, as a stack started on it does.
    const lock = `${JSON.stringify({ pid: process.pid, startedAt: '2026-12-07T09:00:00.000Z' })}\n`;
    await writeFile(join(dataDir, 'dealreg-local.lock'), lock);

    const refused = await dealreg(['local', '--port', String(port), '--data-dir', dataDir]);

    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toBe(
      `dealreg: the data directory ${dataDir} is in use by another dealreg local (pid ${process.pid}, started 2026-12-07T09:00:00.000Z). Stop that one first (Ctrl-C in its terminal, or kill ${process.pid}), or give this one another --data-dir.\n`,
    );
    expect(await readdir(dataDir)).toEqual(['dealreg-local.lock']);
    expect(await readFile(join(dataDir, 'dealreg-local.lock'), 'utf8')).toBe(lock);
  }, 90_000);
});
