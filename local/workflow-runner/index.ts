export { type RenderAslOptions, renderAsl } from '#workflows/render-asl.ts';
export { clockRoutes } from './clock-route.ts';
export { type CompiledStateMachine, compileStateMachine } from './compile.ts';
export {
  ExecutionAlreadyExistsError,
  ExecutionDoesNotExistError,
  ExecutionNotRedrivableError,
  InvalidDefinitionError,
  InvalidExecutionNameError,
  InvalidJsonPayloadError,
  InvalidTokenError,
  RunnerClosedError,
  RunnerStateFileError,
  TaskTimedOutError,
} from './errors.ts';
export { executionRoutes } from './execution-routes.ts';
export { type LambdaHandler, lambdaTask } from './lambda-task.ts';
export { DirectoryBuckets, type LocalObjectStore, LocalObjectStoreError } from './object-store.ts';
export { RunnerRegistrationWorkflow } from './registration-workflow.ts';
export {
  type ExecutionDescription,
  type ExecutionStatus,
  type ExpressExecutionUsage,
  type HistoryEvent,
  LocalWorkflowRunner,
  type LocalWorkflowRunnerOptions,
  type OpenTask,
  type RedriveStatus,
  type RegisterStateMachineOptions,
  type RetryPauses,
  type StartExecutionOptions,
  type TaskContext,
  type TaskHandler,
  type WorkflowType,
} from './runner.ts';
