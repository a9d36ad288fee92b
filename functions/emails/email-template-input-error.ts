import type * as z from 'zod';

/** A template was given input it cannot render (a missing field, a malformed address). */
export class EmailTemplateInputError extends Error {
  override readonly name = 'EmailTemplateInputError';
  readonly template: string;
  /** One entry per problem, e.g. `problems[0].message: a problem needs a message`. */
  readonly issues: readonly string[];

  constructor(template: string, issues: readonly string[], options?: { cause?: unknown }) {
    super(`Cannot render the ${template} email: ${issues.join('; ')}`, options);
    this.template = template;
    this.issues = issues;
  }

  /** Checks a template's input with its schema, throwing this error naming every problem. */
  static check<Schema extends z.ZodType>(template: string, schema: Schema, input: unknown): z.output<Schema> {
    const parsed = schema.safeParse(input);
    if (!parsed.success) throw EmailTemplateInputError.fromZod(template, parsed.error);
    return parsed.data;
  }

  static fromZod(template: string, error: z.ZodError): EmailTemplateInputError {
    const issues = error.issues.map((issue) =>
      issue.path.length > 0 ? `${formatPath(issue.path)}: ${issue.message}` : issue.message,
    );
    return new EmailTemplateInputError(template, issues, { cause: error });
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}
