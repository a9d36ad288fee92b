import type { LocalResponse, LocalRoute } from '../api-server.ts';
import { ExecutionDoesNotExistError } from './errors.ts';
import type { LocalWorkflowRunner } from './runner.ts';

const json = (status: number, body: unknown): LocalResponse => ({
  status,
  body: JSON.stringify(body, null, 2),
});

/**
 * Read-only local routes on the runner: `GET /_local/executions` (every execution),
 * `GET /_local/executions/{name}` (one, with its history and the states it visited; name or ARN)
 * and `GET /_local/tasks` (callback tasks waiting for their token).
 */
export function executionRoutes(runner: LocalWorkflowRunner): LocalRoute[] {
  return [
    { method: 'GET', path: '/_local/executions', respond: async () => json(200, runner.listExecutions()) },
    {
      method: 'GET',
      path: '/_local/executions/{name}',
      respond: async ({ url }) => {
        const name = decodeURIComponent(url.pathname.split('/').at(-1) ?? '');
        try {
          return json(200, {
            ...runner.describeExecution(name),
            statesVisited: runner.statesVisited(name),
            history: runner.getExecutionHistory(name),
          });
        } catch (error) {
          if (error instanceof ExecutionDoesNotExistError)
            return json(404, { error: 'not_found', message: error.message });
          throw error;
        }
      },
    },
    { method: 'GET', path: '/_local/tasks', respond: async () => json(200, runner.openTasks()) },
  ];
}
