import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningHubSpotSandbox,
  readSeedFile,
  startHubSpotSandbox,
} from '#local/hubspot-sandbox/index.ts';
import { contractProblems } from '#test/support/hubspot-model-contract.ts';
import { call } from './sandbox-fixture.ts';

// The deal pipelines as HubSpot's Pipelines API answers them ("CRM API | Pipelines": GET
// /crm/v3/pipelines/deals; each stage's `metadata` holds `isClosed` and `probability` as strings,
// probability a decimal between 0.0 and 1.0, 0.0 being Closed Lost and 1.0 Closed Won), over HTTP,
// for the demo portal: HubSpot's default pipeline and a custom one, whose ids HubSpot makes numbers.
let sandbox: RunningHubSpotSandbox;

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ rateLimit: false, seed: await readSeedFile() });
});
afterAll(async () => {
  await sandbox.stop();
});

interface StageJson {
  id: string;
  label: string;
  displayOrder: number;
  metadata: Record<string, string>;
}
interface PipelineJson {
  id: string;
  label: string;
  displayOrder: number;
  stages: StageJson[];
}

const closing = (pipeline: PipelineJson) =>
  pipeline.stages
    .filter((stage) => stage.metadata.isClosed === 'true')
    .map((stage) => [stage.id, stage.metadata.probability]);

describe('GET /crm/v3/pipelines/deals, as HubSpot documents it', () => {
  it('answers every pipeline in display order, HubSpot’s model, metadata as strings with decimal probabilities', async () => {
    const response = await call(sandbox, 'GET', '/crm/v3/pipelines/deals');

    expect(response.status).toBe(200);
    expect(contractProblems(response.body, 'crm/pipelines', 'CollectionResponsePipelineNoPaging')).toEqual(
      [],
    );
    const pipelines = (response.body as { results: PipelineJson[] }).results;
    expect(pipelines.map((pipeline) => pipeline.displayOrder)).toEqual(
      [...pipelines.map((pipeline) => pipeline.displayOrder)].sort((a, b) => a - b),
    );
    for (const stage of pipelines.flatMap((pipeline) => pipeline.stages)) {
      expect(Object.keys(stage.metadata).sort()).toEqual(['isClosed', 'probability']);
      expect(['true', 'false']).toContain(stage.metadata.isClosed);
      expect(stage.metadata.probability).toMatch(/^[01]\.\d+$/);
    }
    const byId = new Map(pipelines.map((pipeline) => [pipeline.id, pipeline]));
    expect(closing(byId.get('default') as PipelineJson)).toEqual([
      ['closedwon', '1.0'],
      ['closedlost', '0.0'],
    ]);
    expect(
      byId.get('default')?.stages.find((stage) => stage.id === 'appointmentscheduled')?.metadata,
    ).toEqual({ isClosed: 'false', probability: '0.2' });
  });

  it('has a second pipeline in the demo portal whose pipeline and stage ids are numbers, with a won and a lost stage', async () => {
    const response = await call(sandbox, 'GET', '/crm/v3/pipelines/deals');
    const custom = (response.body as { results: PipelineJson[] }).results.filter(
      (pipeline) => pipeline.id !== 'default',
    );

    expect(custom.length).toBeGreaterThanOrEqual(1);
    const [pipeline] = custom as [PipelineJson];
    expect(pipeline.id).toMatch(/^\d+$/);
    expect(pipeline.stages.every((stage) => /^\d+$/.test(stage.id))).toBe(true);
    expect(closing(pipeline).map(([, probability]) => probability)).toEqual(['1.0', '0.0']);

    const one = await call(sandbox, 'GET', `/crm/v3/pipelines/deals/${pipeline.id}`);
    expect(one.status).toBe(200);
    expect(contractProblems(one.body, 'crm/pipelines', 'Pipeline')).toEqual([]);
    expect(one.body).toEqual(pipeline);
    const stages = await call(sandbox, 'GET', `/crm/v3/pipelines/deals/${pipeline.id}/stages`);
    expect(stages.status).toBe(200);
    expect(contractProblems(stages.body, 'crm/pipelines', 'CollectionResponsePipelineStageNoPaging')).toEqual(
      [],
    );
    expect((stages.body as { results: StageJson[] }).results).toEqual(pipeline.stages);
  });

  it('keeps a demo deal in the custom pipeline’s closed-lost stage, closed and not won as HubSpot computes it', async () => {
    const pipelines = (await call(sandbox, 'GET', '/crm/v3/pipelines/deals')).body as {
      results: PipelineJson[];
    };
    const custom = pipelines.results.find((pipeline) => pipeline.id !== 'default') as PipelineJson;
    const search = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', {
      filterGroups: [{ filters: [{ propertyName: 'pipeline', operator: 'EQ', value: custom.id }] }],
      properties: ['dealstage', 'hs_is_closed', 'hs_is_closed_won'],
      limit: 100,
    });
    const deals = (search.body as { results: { properties: Record<string, string> }[] }).results;

    expect(deals.length).toBeGreaterThanOrEqual(1);
    const lostStage = custom.stages.find(
      (stage) => stage.metadata.isClosed === 'true' && stage.metadata.probability === '0.0',
    );
    expect(deals.map((deal) => deal.properties)).toContainEqual(
      expect.objectContaining({ dealstage: lostStage?.id, hs_is_closed: 'true', hs_is_closed_won: 'false' }),
    );
  });

  it('lists pipelines by displayOrder, the same order alphabetically by label, and each one’s stages by displayOrder', async () => {
    const seeded = await call(sandbox, 'POST', '/_sandbox/seed', {
      pipelines: [
        {
          id: '91000001',
          label: 'Upsell',
          displayOrder: 5,
          stages: [
            { id: '91000003', label: 'Signed', displayOrder: 1, probability: 1, isClosed: true },
            { id: '91000002', label: 'Proposal', displayOrder: 0, probability: 0.4, isClosed: false },
          ],
        },
        {
          id: '91000010',
          label: 'Channel',
          displayOrder: 5,
          stages: [{ id: '91000011', label: 'Open', probability: 0.1, isClosed: false }],
        },
      ],
    });
    expect(seeded.status).toBe(200);

    const response = await call(sandbox, 'GET', '/crm/v3/pipelines/deals');
    const pipelines = (response.body as { results: PipelineJson[] }).results;
    expect(pipelines.slice(-2).map((pipeline) => pipeline.label)).toEqual(['Channel', 'Upsell']);
    expect(pipelines.at(-1)?.stages.map((stage) => [stage.id, stage.displayOrder])).toEqual([
      ['91000002', 0],
      ['91000003', 1],
    ]);
  });

  it('answers 404 with HubSpot’s error body for a pipeline the portal does not have', async () => {
    const response = await call(sandbox, 'GET', '/crm/v3/pipelines/deals/99999999');

    expect(response.status).toBe(404);
    // HubSpot's error answers carry `"status": "error"` beside the fields of its `Error` model.
    const { status, ...error } = response.body as Record<string, unknown>;
    expect(status).toBe('error');
    expect(error).toMatchObject({ category: 'OBJECT_NOT_FOUND' });
    expect(contractProblems(error, 'crm/pipelines', 'ModelError')).toEqual([]);
  });
});
