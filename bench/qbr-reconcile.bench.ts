/**
 * Reconciles 100,000 deals held in the local HubSpot sandbox (limited like a private app: 190
 * requests per rolling 10 s) with their ledger: the whole pre-QBR build (verify, project, read
 * every deal in batches of 100 through the adapter and its limiter, findings) against the
 * rate-limit floor (⌈R/L⌉ − 1) × W of the HubSpot batch-read benchmark: 1,000 requests → 50 s.
 * The ledger is held in memory (the port's contract, no DynamoDB), so the figure is HubSpot's.
 * Goal ≤ 1.15× the floor, 0 429s. `BENCH_DEALS` changes the size.
 */
import { createHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { HubSpotPortalSchemaAdmin } from '#adapters/hubspot/portal-schema-admin.ts';
import type { LedgerEntry, LedgerEntryInput } from '#domain/ledger/entry.ts';
import { type ChainHead, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { freezeMoney } from '#domain/money.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { startHubSpotSandbox } from '#local/hubspot-sandbox/index.ts';
import type { LedgerIndexKey, LedgerStore, RawLedgerItem } from '#ports/ledger.ts';
import { buildQbrReport, type QbrProgress } from '#use-cases/qbr-build-report.ts';
import { setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';

const deals = Number(process.env.BENCH_DEALS ?? 100_000);
const limit = { requestsPerWindow: 190, windowMs: 10_000, searchPerSecond: 5 };

/** The ledger port over a map of chains (what DynamoDB holds), for a benchmark about HubSpot. */
class MemoryLedgerStore implements LedgerStore {
  readonly #chains = new Map<string, LedgerEntry[]>();

  async readHead(opportunityId: string): Promise<ChainHead | undefined> {
    return this.#chains.get(opportunityId)?.at(-1);
  }
  async insert(entry: LedgerEntry): Promise<boolean> {
    const chain = this.#chains.get(entry.opportunityId) ?? [];
    if (chain.length + 1 !== entry.sequence) return false;
    chain.push(entry);
    this.#chains.set(entry.opportunityId, chain);
    return true;
  }
  async readChainRaw(opportunityId: string): Promise<RawLedgerItem[]> {
    return [...(this.#chains.get(opportunityId) ?? [])];
  }
  async scanRaw(onItems: (items: RawLedgerItem[]) => void): Promise<void> {
    let page: RawLedgerItem[] = [];
    for (const chain of this.#chains.values()) {
      page.push(...chain);
      if (page.length >= 1_000) {
        onItems(page);
        page = [];
        // A DynamoDB scan awaits each page: the event loop runs between pages (HubSpot reads go on).
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (page.length > 0) onItems(page);
  }
  async queryIndexRaw(_key: LedgerIndexKey): Promise<RawLedgerItem[]> {
    throw new Error('not used by the pre-QBR build');
  }
  async listChainIds(): Promise<string[]> {
    return [...this.#chains.keys()];
  }
}

const sandbox = await startHubSpotSandbox({ rateLimit: limit });
try {
  // The portal as Dealreg sets it up (deal mirror properties) plus the CRO's deal-source property.
  await setupHubSpotPortal(
    new HubSpotPortalSchemaAdmin(
      createHubSpotConnection({ accessToken: sandbox.accessToken, basePath: sandbox.url }),
    ),
    { dryRun: false },
  );
  await fetch(`${sandbox.url}/crm/v3/properties/deals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sandbox.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'deal_source',
      label: 'Deal source',
      type: 'string',
      fieldType: 'text',
      groupName: 'dealinformation',
    }),
  });
  // Generated in slices so no single control request runs for minutes on a busy machine.
  const ids: string[] = [];
  const slice = 10_000;
  for (let offset = 0; offset < deals; offset += slice) {
    const generated = (await fetch(`${sandbox.url}/_sandbox/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        objectType: 'deals',
        count: Math.min(slice, deals - offset),
        properties: {
          dealname: 'Deal {i}',
          amount: '{i}',
          deal_currency_code: 'USD',
          pipeline: 'default',
          dealstage: 'closedwon',
          dealreg_registration_id: `reg-${offset / slice}-{i}`,
          dealreg_partner_company_id: 'partner-{i}',
          dealreg_partner_relationship: 'sourced',
          deal_source: 'Partner',
        },
      }),
    }).then(async (response) => {
      if (!response.ok) throw new Error(`generate answered ${response.status}: ${await response.text()}`);
      return response.json();
    })) as { firstId: string; lastId: string };
    for (let id = Number(generated.firstId); id <= Number(generated.lastId); id += 1) ids.push(String(id));
  }

  // Every deal has its approved registration, partner and creation; the CRM-events win on 11-20.
  const store = new MemoryLedgerStore();
  const money = (index: number, amount = index) => freezeMoney(amount * 100, 'USD', '1');
  for (let index = 0; index < deals; index += 1) {
    // Let the event loop breathe, so idle keep-alive sockets the sandbox closes are noticed.
    if (index % 1_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    const opportunityId = ids[index] ?? '';
    // The sandbox's {i} counts within each generated slice.
    const local = index % slice;
    const customer = { domain: `customer-${index}.example.com` };
    const partnerId = `partner-${local}`;
    const inputs: LedgerEntryInput[] = [
      {
        type: 'RegistrationApproved',
        opportunityId,
        effectiveAt: '2026-10-05T12:00:00Z',
        recordedBy: 'workflow',
        registrationId: `reg-${Math.floor(index / slice)}-${local}`,
        partnerId,
        customer,
        relationshipType: 'sourced',
        decidedBy: 'approver@vendor.example',
      },
      {
        type: 'PartnerAttached',
        opportunityId,
        effectiveAt: '2026-10-05T12:00:00Z',
        recordedBy: 'workflow',
        partnerId,
        customer,
        relationshipType: 'sourced',
        registrationId: `reg-${Math.floor(index / slice)}-${local}`,
      },
      {
        type: 'OpportunityCreated',
        opportunityId,
        effectiveAt: '2026-10-06T12:00:00Z',
        recordedBy: 'crm-events',
        customer,
        dealName: `Deal ${index}`,
        stage: 'appointmentscheduled',
        amount: money(local),
      },
      {
        type: 'StageChanged',
        opportunityId,
        effectiveAt: '2026-11-20T12:00:00Z',
        recordedBy: 'crm-events',
        stage: 'closedwon',
      },
      {
        type: 'ClosedWon',
        opportunityId,
        effectiveAt: '2026-11-20T12:00:00Z',
        recordedBy: 'crm-events',
        amount: money(local, index % 100 === 0 ? local + 1 : local),
      },
    ];
    let head: LedgerEntry | undefined;
    for (const input of inputs) {
      head = sealEntry(parseEntryInput(input), head, new Date('2026-11-21T00:00:00Z'));
      await store.insert(head);
    }
  }
  await fetch(`${sandbox.url}/_sandbox/rate-limit`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resetWindow: true }),
  });
  await fetch(`${sandbox.url}/_sandbox/stats`, { method: 'DELETE' });

  const connection = createHubSpotConnection({
    accessToken: sandbox.accessToken,
    basePath: sandbox.url,
    limits: { requestsPerWindow: limit.requestsPerWindow, windowMs: limit.windowMs },
  });
  const adapter = new HubSpotAdapter(connection, { portalId: sandbox.portalId });
  const phases = new Map<QbrProgress['phase'], { start: number; end: number }>();
  const began = performance.now();
  const report = await buildQbrReport(
    {
      ledger: store,
      registrations: { listRegistrations: async () => [] },
      deals: adapter,
      policy: loadPolicy({}),
      onProgress: (event) => {
        const now = performance.now();
        const phase = phases.get(event.phase) ?? { start: now, end: now };
        phase.end = now;
        phases.set(event.phase, phase);
      },
    },
    { quarter: '2026-Q4', asOf: new Date('2026-12-15T00:00:00Z') },
  );
  const seconds = (performance.now() - began) / 1_000;
  const hubspot = phases.get('hubspot');
  const hubspotSeconds = hubspot === undefined ? 0 : (hubspot.end - hubspot.start) / 1_000;

  const state = (await fetch(`${sandbox.url}/_sandbox/stats`).then((response) => response.json())) as {
    apiRequests: number;
    tooManyRequests: number;
  };
  const requests = Math.ceil(deals / 100);
  const floor = (Math.ceil(requests / limit.requestsPerWindow) - 1) * (limit.windowMs / 1_000);
  const drift = report.findings.filter((finding) => finding.code === 'AMOUNT_DRIFT').length;
  console.log(
    `deals reconciled:      ${deals.toLocaleString('en-US')} (${report.integrity.entries.toLocaleString('en-US')} ledger entries)`,
  );
  console.log(`batch requests:        ${requests} (sandbox counted ${state.apiRequests} API requests)`);
  console.log(
    `findings:              ${report.findings.length} (AMOUNT_DRIFT ${drift}, expected ${Math.ceil(deals / 100)}: every 100th deal was won at a different amount)`,
  );
  console.log(`floor (⌈R/L⌉ − 1) × W: ${floor.toFixed(1)} s`);
  for (const [name, phase] of phases) {
    console.log(
      `  phase ${name.padEnd(14)} ${((phase.start - began) / 1_000).toFixed(2)} → ${((phase.end - began) / 1_000).toFixed(2)} s`,
    );
  }
  console.log(
    `HubSpot phase:         ${hubspotSeconds.toFixed(2)} s (${floor === 0 ? 'n/a' : (hubspotSeconds / floor).toFixed(3)}× floor)`,
  );
  console.log(
    `whole build:           ${seconds.toFixed(2)} s (${floor === 0 ? 'n/a' : (seconds / floor).toFixed(3)}× floor, goal ≤ 1.15×)`,
  );
  console.log(
    `429s provoked:         ${state.tooManyRequests} (goal 0); adapter retries ${connection.gateway.stats.retries}`,
  );
  console.log(`peak RSS:              ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  if (
    drift !== Math.ceil(deals / 100) ||
    report.findings.length !== drift ||
    state.tooManyRequests > 0 ||
    (floor > 0 && seconds / floor > 1.15)
  ) {
    process.exitCode = 1;
  }
} finally {
  await sandbox.stop();
}
