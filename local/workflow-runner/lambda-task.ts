import type { Context } from 'aws-lambda';
import { lambdaContext } from '../api-server.ts';
import type { TaskContext, TaskHandler } from './runner.ts';

/** A deployed Lambda handler: the event and the context Lambda hands it. */
export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

/**
 * Runs a deployed Lambda handler (a middy handler included) as a Task handler of the local
 * runner, with the context Lambda would give function `name` and `timeoutMs` to run.
 */
export function lambdaTask(name: string, handler: LambdaHandler, timeoutMs = 30_000): TaskHandler {
  return (input: unknown, _context: TaskContext) => handler(input as never, lambdaContext(name, timeoutMs));
}
