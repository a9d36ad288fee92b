import { notFound } from './errors.ts';
import { intParam, type Route, route, type SandboxRequest } from './http.ts';
import type { Portal } from './portal.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * A stage's probability as HubSpot writes it in the stage metadata: a decimal string with at least
 * one digit after the point, "0.2", "1.0" for Closed Won and "0.0" for Closed Lost ("CRM API |
 * Pipelines": deal stages' metadata, probability between 0.0 and 1.0).
 */
function probabilityText(probability: number): string {
  return Number.isInteger(probability) ? probability.toFixed(1) : String(probability);
}

function pipelineJson(
  pipeline: Portal['pipelines'] extends Map<string, infer P> ? P : never,
): Record<string, unknown> {
  const created = iso(pipeline.createdAt);
  const updated = iso(pipeline.updatedAt);
  return {
    id: pipeline.id,
    label: pipeline.label,
    displayOrder: pipeline.displayOrder,
    createdAt: created,
    updatedAt: updated,
    archived: false,
    // Stages in the order they are displayed ("CRM API | Pipelines": a stage's displayOrder).
    stages: [...pipeline.stages]
      .sort((a, b) => a.displayOrder - b.displayOrder)
      .map((stage) => ({
        id: stage.id,
        label: stage.label,
        displayOrder: stage.displayOrder,
        metadata: { isClosed: String(stage.isClosed), probability: probabilityText(stage.probability) },
        createdAt: created,
        updatedAt: updated,
        archived: false,
        writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
      })),
  };
}

export function pipelineAndOwnerRoutes(portal: Portal): Route[] {
  const dealsOnly = (type: string): void => {
    if (portal.store(type).info.name !== 'deals') throw notFound(`No pipelines for ${type} in this sandbox`);
  };
  const pipelineOf = (request: SandboxRequest) => {
    dealsOnly(request.params.type ?? '');
    const pipeline = portal.pipelines.get(request.params.id ?? '');
    if (pipeline === undefined) throw notFound(`Pipeline ${request.params.id ?? ''} not found`);
    return pipeline;
  };
  const ownerJson = (
    owner: Portal['owners'] extends Map<string, infer O> ? O : never,
  ): Record<string, unknown> => ({
    id: owner.id,
    email: owner.email,
    type: 'PERSON',
    firstName: owner.firstName,
    lastName: owner.lastName,
    userId: owner.userId,
    userIdIncludingInactive: owner.userId,
    createdAt: iso(owner.createdAt),
    updatedAt: iso(owner.updatedAt),
    archived: owner.archived === true,
    teams: owner.teams,
  });
  return [
    route('GET', '/crm/v3/pipelines/:type', 'api', (request) => {
      dealsOnly(request.params.type ?? '');
      // "CRM API | Pipelines": pipelines are listed by displayOrder, and those with the same number
      // alphabetically by label.
      const pipelines = [...portal.pipelines.values()].sort(
        (a, b) => a.displayOrder - b.displayOrder || a.label.localeCompare(b.label),
      );
      return { status: 200, body: { results: pipelines.map(pipelineJson) } };
    }),
    route('GET', '/crm/v3/pipelines/:type/:id', 'api', (request) => ({
      status: 200,
      body: pipelineJson(pipelineOf(request)),
    })),
    route('GET', '/crm/v3/pipelines/:type/:id/stages', 'api', (request) => ({
      status: 200,
      body: { results: (pipelineJson(pipelineOf(request)).stages as unknown[]) ?? [] },
    })),
    // "CRM API | Owners" (Retrieve all owners, Retrieve an owner): `archived` (default false)
    // returns only the owners that have been archived, those of deactivated users; an owner of the
    // other kind is not found.
    route('GET', '/crm/v3/owners', 'api', (request) => {
      const limit = intParam(request.query, 'limit', 100, 500);
      const email = request.query.get('email')?.toLowerCase();
      const archived = request.query.get('archived') === 'true';
      const all = [...portal.owners.values()].filter(
        (owner) =>
          (owner.archived === true) === archived &&
          (email === undefined || owner.email.toLowerCase() === email),
      );
      const offset = Number(request.query.get('after') ?? 0) || 0;
      const body: Record<string, unknown> = { results: all.slice(offset, offset + limit).map(ownerJson) };
      if (offset + limit < all.length) body.paging = { next: { after: String(offset + limit) } };
      return { status: 200, body };
    }),
    route('GET', '/crm/v3/owners/:id', 'api', (request) => {
      const owner = portal.owners.get(request.params.id ?? '');
      const archived = request.query.get('archived') === 'true';
      if (owner === undefined || (owner.archived === true) !== archived)
        throw notFound(`Owner ${request.params.id ?? ''} not found`);
      return { status: 200, body: ownerJson(owner) };
    }),
  ];
}
