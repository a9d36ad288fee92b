import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tracer } from '../tracer.ts';

/** The function's Secrets Manager client, built once per container and traced. */
export const secretsManager = tracer.captureAWSv3Client(new SecretsManagerClient({}));
