import { KMSClient } from '@aws-sdk/client-kms';
import { tracer } from '../tracer.ts';

/** The function's KMS client (the ledger key's MACs), built once per container and traced. */
export const kms = tracer.captureAWSv3Client(new KMSClient({}));
