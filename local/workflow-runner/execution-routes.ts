import type { LocalResponse, LocalRoute } from '../api-server.ts';
import { ExecutionDoesNotExistError, ExecutionNotRedrivableError } from './errors.ts';
import type { ExecutionStatus, LocalWorkflowRunner } from './runner.ts';

const statuses: readonly string[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
] satisfies readonly ExecutionStatus[];
const isStatus = (value: string): value is ExecutionStatus => statuses.includes(value);

const json = (status: number, body: unknown): LocalResponse => ({
  status,
  body: JSON.stringify(body, null, 2),
});

/**
 * Local routes on the runner: `GET /_local/executions` (every execution; `?status=FAILED` only
 * those of one status), `GET /_local/executions/{name}` (one, with its history and the states it
 * visited; name or ARN), `POST /_local/executions/{name}/redrive` (RedriveExecution: 200
 * `{redriveDate}`, 404 unknown, 409 not redrivable) and `GET /_local/tasks` (callback tasks
 * waiting for their token).
 */
export function executionRoutes(runner: LocalWorkflowRunner): LocalRoute[] {
  return [
    {
      method: 'GET',
      path: '/_local/executions',
      respond: async ({ url }) => {
        const status = url.searchParams.get('status');
        if (status !== null && !isStatus(status)) {
          return json(400, {
            error: 'malformed_request',
            message: `status must be one of ${statuses.join(', ')}, got "${status}"`,
          });
        }
        return json(200, runner.listExecutions(status === null ? {} : { status }));
      },
    },
    {
      method: 'POST',
      path: '/_local/executions/{name}/redrive',
      respond: async ({ url }) => {
        const name = decodeURIComponent(url.pathname.split('/').at(-2) ?? '');
        try {
          return json(200, await runner.redriveExecution(name));
        } catch (error) {
          if (error instanceof ExecutionDoesNotExistError)
            return json(404, { error: 'not_found', message: error.message });
          if (error instanceof ExecutionNotRedrivableError)
            return json(409, { error: 'not_redrivable', message: error.message });
          throw error;
        }
      },
    },
    {
      method: 'GET',
      path: '/_local/executions/{name}',
      respond: async ({ url }) => {
        const name = decodeURIComponent(url.pathname.split('/').at(-1) ?? '');
        try {
          return json(200, {
            ...runner.describeExecution(name),
            statesVisited: runner.statesVisited(name, { nested: true }),
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
