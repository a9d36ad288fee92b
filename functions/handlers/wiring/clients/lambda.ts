import { LambdaClient } from '@aws-sdk/client-lambda';
import { tracer } from '../tracer.ts';

/** The function's Lambda client (asks for sweeps), built once per container and traced. */
export const lambda = tracer.captureAWSv3Client(new LambdaClient({}));
