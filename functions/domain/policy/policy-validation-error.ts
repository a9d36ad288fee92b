/** One thing wrong with a policy: where, and what, in plain words. */
export interface PolicyProblem {
  /** Dotted path of the setting, e.g. `sla.reminderHours` or `routing.rules[0].firstApprover`. */
  readonly path: string;
  /** What is wrong, e.g. `must be a positive number of business hours, got -3`. */
  readonly message: string;
}

/** The policy cannot be used; `problems` lists every reason, each naming the setting. */
export class PolicyValidationError extends Error {
  override readonly name = 'PolicyValidationError';
  readonly problems: readonly PolicyProblem[];

  constructor(problems: readonly PolicyProblem[], options?: ErrorOptions) {
    super(
      `The policy is not valid:\n${problems.map((problem) => `- ${describeProblem(problem)}`).join('\n')}`,
      options,
    );
    this.problems = problems;
  }

  /** One sentence per problem, e.g. `sla.reminderHours must be a positive number …`. */
  get messages(): readonly string[] {
    return this.problems.map(describeProblem);
  }
}

/** A problem as one sentence: the setting's path followed by what is wrong with it. */
function describeProblem(problem: PolicyProblem): string {
  return problem.path === '' ? `The policy ${problem.message}` : `${problem.path} ${problem.message}`;
}
