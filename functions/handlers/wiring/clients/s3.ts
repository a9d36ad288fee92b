import { S3Client } from '@aws-sdk/client-s3';
import { tracer } from '../tracer.ts';

/** The function's S3 client, built once per container and traced. */
export const s3 = tracer.captureAWSv3Client(new S3Client({}));
