import { associationRoutes } from './association-routes.ts';
import type { Route } from './http.ts';
import { objectRoutes } from './object-routes.ts';
import { pipelineAndOwnerRoutes } from './pipeline-owner-routes.ts';
import type { Portal } from './portal.ts';
import { propertyRoutes, schemaRoutes } from './schema-routes.ts';

/** Every CRM route the sandbox serves (authenticated, rate limited). */
export function crmRoutes(portal: Portal): Route[] {
  return [
    ...objectRoutes(portal, '/crm/v3/objects'),
    ...associationRoutes(portal),
    ...schemaRoutes(portal, '/crm/v3/schemas'),
    ...schemaRoutes(portal, '/crm-object-schemas/v3/schemas'),
    ...propertyRoutes(portal),
    ...pipelineAndOwnerRoutes(portal),
  ];
}
