import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { preQbrFunctionNames } from '#local/pre-qbr-check.ts';
import { qbrStepInputSchemas } from '#use-cases/qbr-delivery/step-input-schemas.ts';
import { registrationStepNames } from '#use-cases/registration-workflow/step-names.ts';
import { registrationStepInputSchema } from '#use-cases/registration-workflow/steps.ts';
import {
  registrationSegmentsStateMachineName,
  registrationStepsFunctionName,
} from '#workflows/registration-workflow.ts';
import { type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';
import { synthesizedPreQbrWorkflowAsl, synthesizedRegistrationWorkflowAsl } from './synthesized-workflow.ts';
import { type TaskInput, taskInputs, taskStateNames } from './task-inputs.ts';

/**
 * Every Task state of both state machines, from the definitions the synthesised stateless stack
 * deploys, hands its Lambda function an event the handler's zod input schema accepts: the
 * Parameters (and Payload) are evaluated for a representative state input, then parsed. A
 * mismatch — a renamed field, a path to a result that is stored elsewhere, `"Parameters": "$"` —
 * fails here naming the state and the schema's complaint, not in production.
 */

const approver = {
  id: 'channel-manager',
  name: 'Channel Manager',
  email: 'channel-manager@example.com',
  timeZone: 'America/New_York',
};

/** The registration workflow's state once every step has stored its result where it does. */
const registrationState = {
  registrationId: 'REG-2026-0001',
  normalised: { registrationId: 'REG-2026-0001' },
  assessment: { outcome: 'auto-approve', reason: 'no conflict and under the auto-approval threshold' },
  approval: {
    approvalId: 'REG-2026-0001.level-1.1.first-level',
    purpose: 'registration',
    level: 1,
    round: 1,
    step: 'first-level',
    approver,
    escalateTo: { ...approver, id: 'partner-director', email: 'partner-director@example.com' },
    deadlines: {
      requestedAt: '2026-11-24T14:00:00.000Z',
      reminderAt: '2026-11-25T14:00:00.000Z',
      escalationAt: '2026-11-26T14:00:00.000Z',
      finalAt: '2026-11-27T14:00:00.000Z',
    },
    remindersSent: 0,
    nextTimer: 'reminder',
    secondsToNextTimer: 86_400,
  },
  decision: {
    approvalId: 'REG-2026-0001.level-1.1.first-level',
    decision: {
      choice: { outcome: 'approve', relationshipType: 'sourced' },
      decidedBy: { email: approver.email, name: approver.name },
      decidedAt: '2026-11-24T16:00:00.000Z',
      channel: 'page',
      policyVersion: 'pv-0123456789ab',
      exception: false,
    },
  },
  answer: { resubmissionId: 'REG-2026-0002' },
  registered: { dealId: '401', validity: { expiresAt: '2027-02-22T14:00:00.000Z' } },
};

/** The pre-QBR workflow's state on the check day, the deal ids exported for the Distributed Map. */
const preQbrState = {
  trigger: 'schedule',
  check: { due: true, quarter: '2026-Q4', asOf: '2026-12-16T14:00:00.000Z', reason: 'due' },
  export: {
    quarter: '2026-Q4',
    asOf: '2026-12-16T14:00:00.000Z',
    run: 'runs/2026-Q4/2026-12-16T14-00-00Z',
    key: 'runs/2026-Q4/2026-12-16T14-00-00Z/deal-ids.json',
    dealCount: 250_000,
  },
  report: { quarter: '2026-Q4', asOf: '2026-12-16T14:00:00.000Z', location: 'reports/2026-Q4/x' },
};

const preQbrSchemaOf: Record<string, z.ZodType> = {
  [preQbrFunctionNames.dueCheck]: qbrStepInputSchemas.dueCheck,
  [preQbrFunctionNames.dealExport]: qbrStepInputSchemas.dealExport,
  [preQbrFunctionNames.batchWorker]: qbrStepInputSchemas.batchWorker,
  [preQbrFunctionNames.buildReport]: qbrStepInputSchemas.buildReport,
  [preQbrFunctionNames.emailReport]: qbrStepInputSchemas.emailReport,
};

/** The schema of a registration step: the one its `step` names. */
function registrationSchemaOf(task: TaskInput): z.ZodType | undefined {
  const step = (task.input as { step?: unknown } | undefined)?.step;
  const name = registrationStepNames.find((known) => known === step);
  return name === undefined ? undefined : registrationStepInputSchema(name);
}

/** Each task's schema problems, as `state: path: message`. */
function problemsOf(
  inputs: readonly TaskInput[],
  schemaOf: (task: TaskInput) => z.ZodType | undefined,
): string[] {
  return inputs.flatMap((task) => {
    const schema = schemaOf(task);
    if (schema === undefined)
      return [`${task.state}: no handler schema for ${task.functionName} ${JSON.stringify(task.input)}`];
    const parsed = schema.safeParse(task.input);
    return parsed.success
      ? []
      : parsed.error.issues.map(
          (issue) => `${task.state}: ${issue.path.join('.') || 'input'}: ${issue.message}`,
        );
  });
}

let app: SynthesizedApp;
beforeAll(() => {
  app = synthesizeDealregApp();
});

describe('the input of every Task, from the definitions CDK deploys', () => {
  it('is what its registration step accepts, in the registration workflow and its segments', async () => {
    const { workflow, segments } = synthesizedRegistrationWorkflowAsl(app.statelessTemplate);

    const inWorkflow = await taskInputs(workflow, { stateInput: registrationState });
    const inSegments = await taskInputs(segments, {
      stateInput: { ...registrationState, segment: 'assess' },
    });

    expect(inWorkflow.failures).toEqual([]);
    expect(inSegments.failures).toEqual([]);
    expect(inWorkflow.inputs.map((task) => task.state)).toEqual(taskStateNames(workflow));
    expect(inSegments.inputs.map((task) => task.state)).toEqual(taskStateNames(segments));
    const steps = [...inWorkflow.inputs, ...inSegments.inputs].filter(
      (task) => !task.functionName.startsWith('stateMachine:'),
    );
    expect(new Set(steps.map((task) => task.functionName))).toEqual(new Set([registrationStepsFunctionName]));
    expect(problemsOf(steps, registrationSchemaOf)).toEqual([]);
    // Each segment is started with what the segments' first Choice and steps read.
    const started = inWorkflow.inputs.filter((task) => task.functionName.startsWith('stateMachine:'));
    expect(started).toEqual([
      {
        state: 'Assess registration',
        functionName: `stateMachine:${registrationSegmentsStateMachineName}`,
        input: expect.objectContaining({ segment: 'assess', registrationId: 'REG-2026-0001' }),
      },
      {
        state: 'Register the approved deal',
        functionName: `stateMachine:${registrationSegmentsStateMachineName}`,
        input: expect.objectContaining({ segment: 'approved', registrationId: 'REG-2026-0001' }),
      },
    ]);
  });

  it('is what its pre-QBR step accepts, the Distributed Map batch worker included', async () => {
    const definition = synthesizedPreQbrWorkflowAsl(app.statelessTemplate);

    const { inputs, failures } = await taskInputs(definition, {
      stateInput: preQbrState,
      items: ['1001', '1002', '1003'],
    });

    expect(failures).toEqual([]);
    expect(inputs.map((task) => task.state)).toEqual(taskStateNames(definition));
    expect(inputs.find((task) => task.state === 'Read one batch of deals')?.input).toEqual({
      BatchInput: { run: preQbrState.export.run },
      Items: ['1001', '1002', '1003'],
    });
    expect(problemsOf(inputs, (task) => preQbrSchemaOf[task.functionName])).toEqual([]);
  });

  it('names the state and the problem when a task sends what its handler refuses', async () => {
    const definition = synthesizedPreQbrWorkflowAsl(app.statelessTemplate);
    const states = definition.States as Record<string, Record<string, unknown>>;
    // The defect CDK once rendered, and a field the report step does not know.
    states['Decide whether the check is due'] = {
      ...states['Decide whether the check is due'],
      Parameters: '$',
    };
    const build = states['Build and store the report'] ?? {};
    states['Build and store the report'] = {
      ...build,
      Parameters: { ...(build.Parameters as object), 'quarterLabel.$': '$.check.quarter' },
    };

    const { inputs, failures } = await taskInputs(definition, { stateInput: preQbrState, items: ['1001'] });

    expect(failures).toEqual([
      { state: 'Decide whether the check is due', problem: 'Parameters must be a JSON object, got "$"' },
    ]);
    expect(problemsOf(inputs, (task) => preQbrSchemaOf[task.functionName])).toEqual([
      expect.stringMatching(/^Build and store the report: input: Unrecognized key: "quarterLabel"/),
    ]);
  });
});
