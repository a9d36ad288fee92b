import { Stack } from 'aws-cdk-lib';
import { type IChainable, Pass, QueryLanguage, StateGraph, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/** The state machine's comment: what one execution is. */
export const registrationWorkflowComment = 'One deal registration, from receipt to decision';

/**
 * The registration workflow (DESIGN §3.2) as CDK chainables, JSONPath query language. The
 * stack deploys it and the local workflow runner executes the same definition.
 *
 * One execution per registration; the intake starts it with the registration id as the
 * execution name. Today it records the registration; normalisation, the conflict check,
 * routing and the approval loop are added here as states of their own, each named as the
 * business step it is.
 */
export function buildRegistrationWorkflow(scope: Construct): IChainable {
  const received = new Pass(scope, 'Registration received', {
    comment: 'The intake stored the submission and started this execution',
  });
  const recorded = new Succeed(scope, 'Registration recorded', {
    comment: 'The registration is recorded and waits for the conflict check',
  });
  return received.next(recorded);
}

/**
 * The workflow's Amazon States Language document, rendered without deploying anything (for
 * the local workflow runner and for validation).
 */
export function renderRegistrationWorkflowAsl(): Record<string, unknown> {
  const scope = new Stack(undefined, 'RegistrationWorkflowDefinition');
  const chain = buildRegistrationWorkflow(scope);
  const graph = new StateGraph(chain.startState, registrationWorkflowComment);
  // Through JSON, as deployed: drops undefined fields and the graph's null-prototype objects.
  const asl = JSON.parse(JSON.stringify(graph.toGraphJson())) as Record<string, unknown>;
  return { Comment: registrationWorkflowComment, QueryLanguage: QueryLanguage.JSON_PATH, ...asl };
}
