import { SFNClient } from '@aws-sdk/client-sfn';
import { tracer } from '../tracer.ts';

/** The function's Step Functions client, built once per container and traced. */
export const stepFunctions = tracer.captureAWSv3Client(new SFNClient({}));
