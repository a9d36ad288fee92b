import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The function's X-Ray tracer; the service name comes from `POWERTOOLS_SERVICE_NAME`. It turns
 * itself off outside Lambda (no `AWS_EXECUTION_ENV`), so locally and in tests clients pass
 * through it untouched.
 */
export const tracer = new Tracer();
