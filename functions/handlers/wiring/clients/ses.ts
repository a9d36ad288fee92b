import { SESv2Client } from '@aws-sdk/client-sesv2';
import { tracer } from '../tracer.ts';

/** The function's SES client, built once per container and traced. */
export const ses = tracer.captureAWSv3Client(new SESv2Client({}));
