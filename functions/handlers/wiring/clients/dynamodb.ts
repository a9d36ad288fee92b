import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClientOver } from '../document-client.ts';
import { tracer } from '../tracer.ts';

/** The function's DynamoDB client, built once per container and traced. */
export const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));

/** The document client over {@link dynamodb}. */
export const documentClient = documentClientOver(dynamodb);
