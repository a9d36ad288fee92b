import type { Exchange } from '#local/partner-central/index.ts';
import { type ModelProblem, shapeProblems } from '#local/partner-central/service-model.ts';

/**
 * Checks exchanges with the Partner Central stand-in against the SDK's service model: each
 * request as `<Operation>Request`, each 200 answer as `<Operation>Response`, each error as the
 * exception its `__type` names (a request refused with ValidationException is not checked: it was
 * meant to be invalid). Returns one line per problem, naming the exchange and the path.
 */
const unitOutput: ReadonlySet<string> = new Set([
  'AcceptEngagementInvitation',
  'RejectEngagementInvitation',
  'AssociateOpportunity',
]);

export function exchangeProblems(exchanges: readonly Exchange[]): string[] {
  return exchanges.flatMap((exchange, index) => {
    const label = `#${index} ${exchange.operation} ${exchange.status}`;
    const lines = (what: string, problems: readonly ModelProblem[]) =>
      problems.map((problem) => `${label} ${what} ${problem.path}: ${problem.message}`);
    // A request the stand-in refused as invalid was meant to be invalid; every other one must be valid.
    const refusedAsInvalid = exchange.status === 400;
    const request = refusedAsInvalid
      ? []
      : lines('request', shapeProblems(`${exchange.operation}Request`, exchange.request, 'wire'));
    if (exchange.status === 200) {
      // Operations whose output is the model's Unit (AcceptEngagementInvitation,
      // RejectEngagementInvitation, AssociateOpportunity) have no response shape: they answer an
      // empty object.
      if (unitOutput.has(exchange.operation)) {
        return [
          ...request,
          ...(Object.keys(exchange.response).length === 0 ? [] : [`${label} response is not empty`]),
        ];
      }
      return [
        ...request,
        ...lines('response', shapeProblems(`${exchange.operation}Response`, exchange.response, 'wire')),
      ];
    }
    const { __type: type, ...members } = exchange.response;
    const shape = typeof type === 'string' ? type.slice(type.indexOf('#') + 1) : '';
    if (shape === '') return [...request, `${label} error without __type`];
    return [...request, ...lines(`error ${shape}`, shapeProblems(shape, members, 'wire'))];
  });
}
