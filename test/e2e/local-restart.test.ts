import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCustomerChecksItem } from '#adapters/dynamodb/registration-items.ts';
import { localClientConfig } from '#local/create-tables.ts';
import type { LocalStackDescription } from '#local/stack.ts';
import { dealreg } from '#test/support/dealreg-cli.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';

/*
 * One data directory through a stack's life: started with the demo, stopped and started again,
 * a second stack refused, killed with SIGKILL and started again, DynamoDB Local killed under it,
 * and started over with --fresh. The tests run in order, each on what the one before left.
 */

let dataDir: string;
let stack: LocalStackProcess | undefined;
const timeout = 180_000;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dealreg-restart-'));
});

afterAll(async () => {
  await stack?.kill('SIGKILL');
  const holder = await lockHolder().catch(() => undefined);
  if (holder?.dynamodbPid !== undefined && isRunning(holder.dynamodbPid))
    process.kill(holder.dynamodbPid, 'SIGKILL');
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function lockHolder(): Promise<{ pid: number; dynamodbPid?: number }> {
  return JSON.parse(await readFile(join(dataDir, 'dealreg-local.lock'), 'utf8'));
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

interface Mail {
  readonly messageId: string;
  readonly to: string[];
  readonly links: string[];
}

/** What the stack holds, read through its own interfaces. */
async function holdings(description: LocalStackDescription) {
  const mails = await getJson<Mail[]>(`${description.api}/_local/mail`);
  const client = new DynamoDBClient(localClientConfig(description.dynamodb.endpoint));
  const registrationIds: string[] = [];
  for await (const page of paginateScan({ client }, { TableName: description.tables.Registrations })) {
    for (const item of page.Items ?? []) {
      const id = item.registrationId?.S;
      // A customer domain's recent-checks item is keyed by the domain, which the demo registers
      // again after a fresh start: it belongs to no registration.
      if (id === undefined || isCustomerChecksItem({ registrationId: id })) continue;
      if (!registrationIds.includes(id)) registrationIds.push(id);
    }
  }
  client.destroy();
  const bearer = { authorization: `Bearer ${description.hubspot.accessToken}` };
  const companies = await getJson<{ results: { id: string }[] }>(
    `${description.hubspot.url}/crm/v3/objects/companies?limit=100`,
    bearer,
  );
  const submissions = await getJson<{ results: { conversionId: string }[] }>(
    `${description.hubspot.url}/form-integrations/v1/submissions/forms/${description.hubspot.formGuid}`,
    bearer,
  );
  return {
    messageIds: mails.map((mail) => mail.messageId),
    registrationIds: registrationIds.sort(),
    companyIds: companies.results.map((company) => company.id),
    conversionIds: submissions.results.map((submission) => submission.conversionId),
  };
}

/** The stack's clock: its time (of the last move) and the ticking reading things are dated with. */
async function clockOf(description: LocalStackDescription): Promise<{ now: number; ticking: number }> {
  const clock = await getJson<{ now: string; ticking: string }>(`${description.api}/_local/clock`);
  return { now: Date.parse(clock.now), ticking: Date.parse(clock.ticking) };
}

async function approvalLink(description: LocalStackDescription): Promise<string> {
  const mails = await getJson<Mail[]>(`${description.api}/_local/mail`);
  const link = mails.flatMap((mail) => mail.links).find((candidate) => candidate.includes('/approvals/'));
  if (link === undefined) throw new Error('no approval link in the mailbox');
  return link;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface OpenTask {
  readonly taskToken: string;
  readonly executionName: string;
  readonly stateName: string;
  readonly input: { readonly Payload?: { readonly approvalId?: string } };
}

/** The callback task waiting for the decision the approval link asks for. */
async function taskOfLink(
  description: LocalStackDescription,
  approvalLink: string,
): Promise<OpenTask | undefined> {
  const approvalId = new URL(approvalLink).pathname.split('/').at(-1);
  const tasks = await getJson<OpenTask[]>(`${description.api}/_local/tasks`);
  return tasks.find((task) => task.input.Payload?.approvalId === approvalId);
}

/** Submits the decision on the page the approval link opens, as the approver would. */
async function approveFromLink(approvalLink: string): Promise<number> {
  const page = await (await fetch(approvalLink)).text();
  const token = /name="t" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const nonce = /name="nonce" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const response = await fetch(approvalLink.split('?')[0] ?? approvalLink, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token, nonce, decision: 'approve' }).toString(),
  });
  return response.status;
}

let before: Awaited<ReturnType<typeof holdings>>;
let firstDescription: LocalStackDescription;
let link: string;

describe('dealreg local on a kept data directory', () => {
  it(
    'keeps the tables, the sandbox, the mailbox, the keys and the clock across a stop and start, and tells the demo once',
    async () => {
      stack = await startLocalStackProcess(['--demo', 'week'], { dataDir });
      firstDescription = stack.description;
      expect(stack.output()).toContain('Demo:');
      const movedAtRealMs = performance.now();
      const moved = await fetch(`${firstDescription.api}/_local/clock`, {
        method: 'POST',
        body: JSON.stringify({ advance: 'PT2H' }),
      });
      expect(moved.status).toBe(200);
      const movedTo = Date.parse(((await moved.json()) as { now: string }).now);
      link = await approvalLink(firstDescription);
      expect((await fetch(link)).status).toBe(200);
      // A digest written now is dated with the clock's ticking reading: the moved time plus the
      // real time since the move.
      const digest = await dealreg(['ledger', 'digest', '--data-dir', dataDir]);
      expect(digest.code, digest.stdout + digest.stderr).toBe(0);
      before = await holdings(firstDescription);
      const shown = await clockOf(firstDescription);
      expect(before.registrationIds.length).toBeGreaterThan(0);
      expect(await stack.kill('SIGTERM')).toBe(0);
      const realTimeBeforeStopMs = performance.now() - movedAtRealMs;

      stack = await startLocalStackProcess(['--demo', 'week'], { dataDir });

      const again = stack.description;
      expect(stack.output()).not.toContain('Demo:');
      expect(stack.output()).toContain(`Resumed the data kept in ${dataDir}`);
      expect(again.api).toBe(firstDescription.api);
      expect(again.webhookClientSecret).toBe(firstDescription.webhookClientSecret);
      expect(again.hubspot.accessToken).toBe(firstDescription.hubspot.accessToken);
      expect(await holdings(again)).toEqual(before);
      // The kept clock never reads earlier than a time it showed before the stop (the digest's
      // date among them), and is at most the moved time plus the real time that ran until the stop.
      const resumed = await clockOf(again);
      console.log(
        `the clock resumed ${resumed.now - movedTo} ms after the moved time; ${Math.round(realTimeBeforeStopMs)} ms of real time ran from the move to the stop`,
      );
      expect(resumed.now).toBeGreaterThanOrEqual(shown.ticking);
      expect(resumed.now).toBeLessThanOrEqual(movedTo + realTimeBeforeStopMs);
      // The digest the restart wrote follows the one written before it: the ledger verifies.
      const verify = await dealreg(['ledger', 'verify', '--data-dir', dataDir]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      // Signed before the restart, the link still verifies: the page opens (not 403).
      expect((await fetch(link)).status).toBe(200);
    },
    timeout,
  );

  it(
    'refuses a second stack on the same data directory, leaving the first one and its files alone',
    async () => {
      if (stack === undefined) throw new Error('the stack of the test before is not running');
      const running = stack;
      const description = await readFile(join(dataDir, 'local.json'), 'utf8');

      const second = await dealreg(['local', '--data-dir', dataDir, '--empty']);

      expect(second.code).toBe(2);
      expect(second.stderr).toContain(
        `the data directory ${dataDir} is in use by another dealreg local (pid ${running.child.pid}`,
      );
      expect(await readFile(join(dataDir, 'local.json'), 'utf8')).toBe(description);
      expect(await holdings(running.description)).toEqual(before);
    },
    timeout,
  );

  it(
    'leaves no DynamoDB Local behind when killed with SIGKILL, and the next start takes the directory over with everything kept',
    async () => {
      if (stack === undefined) throw new Error('the stack of the test before is not running');
      const { description } = stack;
      const bearer = {
        authorization: `Bearer ${description.hubspot.accessToken}`,
        'content-type': 'application/json',
      };
      const created = await fetch(`${description.hubspot.url}/crm/v3/objects/companies`, {
        method: 'POST',
        headers: bearer,
        body: JSON.stringify({ properties: { name: 'Kept Through A Crash Ltd' } }),
      });
      const company = ((await created.json()) as { id: string }).id;
      // Saved soon after the change: wait until it is on disk rather than for a fixed time.
      await until('the sandbox saved', async () =>
        (await readFile(join(dataDir, 'hubspot-sandbox.json'), 'utf8')).includes('Kept Through A Crash Ltd')
          ? true
          : undefined,
      );
      const held = await holdings(description);
      const heldClock = await clockOf(description);
      // The registration the approval link decides waits on its callback task, saved with its token.
      const waiting = await taskOfLink(description, link);
      if (waiting === undefined) throw new Error('no task waits for the decision of the approval link');
      await until('the workflow runner saved', async () =>
        (await readFile(join(dataDir, 'workflow-runner', 'executions.json'), 'utf8')).includes(
          waiting.taskToken,
        )
          ? true
          : undefined,
      );
      const { dynamodbPid } = await lockHolder();
      if (dynamodbPid === undefined) throw new Error('the lock names no DynamoDB Local');

      expect(await stack.kill('SIGKILL')).toBe(null);

      const started = performance.now();
      await until('DynamoDB Local ended', async () => (isRunning(dynamodbPid) ? undefined : true));
      console.log(
        `DynamoDB Local (pid ${dynamodbPid}) ended ${Math.round(performance.now() - started)} ms after the stack was killed`,
      );

      stack = await startLocalStackProcess(['--digest-every', 'PT1S'], { dataDir });

      expect(stack.output()).toMatch(/was left locked by dealreg local pid \d+ .* taking the directory over/);
      expect(await holdings(stack.description)).toEqual(held);
      // Saved soon after each reading: the clock resumes no earlier than its last move.
      expect((await clockOf(stack.description)).now).toBeGreaterThanOrEqual(heldClock.now);
      expect(held.companyIds).toContain(company);
      expect((await fetch(link)).status).toBe(200);
      // The execution resumed waiting on the same token (no approval request mailed again), and
      // the link mailed before the crash decides it.
      expect(await taskOfLink(stack.description, link)).toEqual(waiting);
      expect(await approveFromLink(link)).toBe(200);
      const api = stack.description.api;
      const visited = await until('the decision taken by the resumed execution', async () => {
        const execution = await getJson<{ statesVisited: string[] }>(
          `${api}/_local/executions/${waiting.executionName}`,
        );
        return execution.statesVisited.includes('Record approver decision')
          ? execution.statesVisited
          : undefined;
      });
      expect(visited.filter((state) => state === 'Wait for approver decision')).toHaveLength(1);
    },
    timeout,
  );

  it(
    'stops, naming DynamoDB Local and its log, when DynamoDB Local ends under it',
    async () => {
      if (stack === undefined) throw new Error('the stack of the test before is not running');
      const running = stack;
      // Digests are written every second: wait for one, for the next test to see cleared.
      await until('a ledger digest', async () =>
        (await readdir(join(dataDir, 'ledger-digests')).catch(() => [])).length > 0 ? true : undefined,
      );
      const { dynamodbPid } = await lockHolder();
      if (dynamodbPid === undefined) throw new Error('the lock names no DynamoDB Local');

      process.kill(dynamodbPid, 'SIGKILL');

      expect(await running.exited).toBe(3);
      stack = undefined;
      expect(running.output()).toContain(
        `DynamoDB Local (pid ${dynamodbPid}) ended on SIGKILL; its log is ${join(dataDir, 'dynamodb-local.log')}`,
      );
      expect(await readdir(dataDir)).not.toContain('dealreg-local.lock');
    },
    timeout,
  );

  it(
    'starts over with --fresh: new tables, sandbox, mailbox and keys, no digest from before, and the demo again',
    async () => {
      const freshAt = Date.now();
      stack = await startLocalStackProcess(['--fresh', '--demo', 'week'], { dataDir });

      const now = await holdings(stack.description);
      expect(stack.output()).toContain(`Starting over in ${dataDir}: cleared`);
      expect(stack.output()).toContain('Demo:');
      expect(now.messageIds.filter((id) => before.messageIds.includes(id))).toEqual([]);
      expect(now.registrationIds.filter((id) => before.registrationIds.includes(id))).toEqual([]);
      expect(now.conversionIds.filter((id) => before.conversionIds.includes(id))).toEqual([]);
      expect(stack.description.webhookClientSecret).not.toBe(firstDescription.webhookClientSecret);
      // The old digests are gone; the stack seals its new ledger from the start.
      const digestDir = join(dataDir, 'ledger-digests');
      for (const file of await readdir(digestDir).catch(() => [])) {
        expect((await stat(join(digestDir, file))).mtimeMs, file).toBeGreaterThanOrEqual(freshAt - 1_000);
      }
      // The ledger and its digests start together: nothing reads as tampered.
      const verify = await dealreg(['ledger', 'verify', '--data-dir', dataDir]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      expect(await stack.interrupt()).toBe(0);
      stack = undefined;
    },
    timeout,
  );
});
