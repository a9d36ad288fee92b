import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { apiBinaryMediaTypes, isBinaryMediaType } from '#lib/api/binary-media-types.ts';

/** A Lambda handler behind API Gateway (REST, payload v1), as deployed. */
export type ApiGatewayHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

/** A route served by a deployed Lambda handler. `path` may hold `{name}` parameters. */
export interface LambdaRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: ApiGatewayHandler;
}

export interface LocalResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

/** A route that exists only on one machine (`/_local/...`): the mailbox, the clock, executions. */
export interface LocalRoute {
  readonly method: string;
  readonly path: string;
  readonly respond: (request: { url: URL; body: string }) => Promise<LocalResponse>;
}

export interface RunningApiServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** API Gateway's own payload limit; handlers enforce their smaller ones. */
const apiGatewayMaxBody = 10 * 1024 * 1024;

/**
 * How long a REST API waits for its Lambda integration ("Amazon API Gateway quotas": integration
 * timeout 50 milliseconds to 29 seconds, 29 seconds by default): a slower function's caller gets
 * 504, while the function itself runs on.
 */
const apiGatewayIntegrationTimeoutMs = 29_000;

/** The Lambda's answer, or `timed-out` once the integration timeout has passed without one. */
async function withinIntegrationTimeout(
  answer: Promise<APIGatewayProxyResult>,
  timeoutMs: number,
): Promise<APIGatewayProxyResult | 'timed-out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
  });
  // A function still running when its caller was answered 504 may fail later; nobody hears of it.
  answer.catch(() => undefined);
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const patternParts = pattern.split('/');
  const pathParts = path.split('/');
  if (patternParts.length !== pathParts.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = pathParts[index] ?? '';
    const parameter = /^\{(\w+)\}$/.exec(part);
    if (parameter?.[1] !== undefined) {
      if (actual === '') return undefined;
      parameters[parameter[1]] = decodeURIComponent(actual);
    } else if (part !== actual) {
      return undefined;
    }
  }
  return parameters;
}

/** Whether every `%` escape of a path decodes (as UTF-8), so its parameters can be read. */
function validPercentEncoding(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > apiGatewayMaxBody) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Builds the event API Gateway (REST API, stage `local`) would hand the function. */
function toApiGatewayEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  route: LambdaRoute,
  pathParameters: Record<string, string>,
  binaryMediaTypes: readonly string[],
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] ?? '';
    const value = request.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  headers['X-Forwarded-Proto'] ??= 'http';
  const binary = isBinaryMediaType(request.headers['content-type'], binaryMediaTypes);
  const query: Record<string, string> = {};
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiValueQuery[name] = [...(multiValueQuery[name] ?? []), value];
  }
  const hasQuery = url.searchParams.size > 0;
  const rawPath = (request.url ?? '/').split('?')[0] ?? '/';
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: request.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    // "Binary media types for REST APIs in API Gateway": a body whose Content-Type is one of the
    // API's binary media types reaches the function base64-encoded, as the bytes sent; any other
    // is a UTF-8 text payload (bytes that are not UTF-8 are decoded with replacement characters).
    body: body.byteLength === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: body.byteLength > 0 && binary,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: request.method ?? 'GET',
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? null,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
      domainName: request.headers.host ?? 'localhost',
      path: rawPath,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.path,
    },
  };
}

/** The context Lambda hands a function, with `timeoutMs` left to run. */
export function lambdaContext(name: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  response.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

const jsonHeaders = { 'content-type': 'application/json; charset=utf-8' };

/**
 * The local API: an HTTP server that turns each request into the API Gateway event the deployed
 * function receives and runs the same handler, plus `/_local/...` routes for the local stack.
 */
export function startApiServer(options: {
  port?: number | undefined;
  routes: readonly LambdaRoute[];
  localRoutes?: readonly LocalRoute[];
  /** The API's binary media types; the deployed API's unless a test asks for another list. */
  binaryMediaTypes?: readonly string[];
  /** How long a route's handler may take before the caller gets 504. @default 29 s, API Gateway's */
  integrationTimeoutMs?: number;
}): Promise<RunningApiServer> {
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
      const method = request.method ?? 'GET';
      const body = await readBody(request);
      if (!validPercentEncoding(url.pathname)) {
        // Such a path names no resource or id: a bad request, not a failed integration.
        send(
          response,
          400,
          jsonHeaders,
          JSON.stringify({ message: `the path ${url.pathname} is not valid percent-encoding (RFC 3986)` }),
        );
        return;
      }
      if (body === 'too-large') {
        send(response, 413, jsonHeaders, JSON.stringify({ message: 'Request Too Long' }));
        return;
      }
      for (const route of options.localRoutes ?? []) {
        if (route.method === method && matchPath(route.path, url.pathname) !== undefined) {
          const result = await route.respond({ url, body: body.toString('utf8') });
          send(response, result.status, result.headers ?? jsonHeaders, result.body);
          return;
        }
      }
      const candidates = options.routes
        .map((route) => ({ route, parameters: matchPath(route.path, url.pathname) }))
        .filter((candidate) => candidate.parameters !== undefined);
      const match = candidates.find((candidate) => candidate.route.method === method);
      if (match?.parameters === undefined) {
        const localPath = (options.localRoutes ?? []).some(
          (route) => matchPath(route.path, url.pathname) !== undefined,
        );
        if (localPath || url.pathname.startsWith('/_local/')) {
          // The stack's own routes, which no API Gateway serves: plain HTTP answers.
          const status = localPath ? 405 : 404;
          send(
            response,
            status,
            jsonHeaders,
            JSON.stringify({ message: status === 405 ? 'Method Not Allowed' : 'Not Found' }),
          );
          return;
        }
        // A REST API answers a request that matches no deployed resource and method with 403
        // "Missing Authentication Token", not 404 or 405, whether or not the path exists
        // ("How do I troubleshoot 403 'Missing Authentication Token' errors", AWS re:Post
        // Knowledge Center; the MISSING_AUTHENTICATION_TOKEN gateway response).
        send(response, 403, jsonHeaders, JSON.stringify({ message: 'Missing Authentication Token' }));
        return;
      }
      const event = toApiGatewayEvent(
        request,
        url,
        body,
        match.route,
        match.parameters,
        options.binaryMediaTypes ?? apiBinaryMediaTypes,
      );
      const result = await withinIntegrationTimeout(
        match.route.handler(event, lambdaContext(`dealreg-${match.route.path}`)),
        options.integrationTimeoutMs ?? apiGatewayIntegrationTimeoutMs,
      );
      if (result === 'timed-out') {
        send(response, 504, jsonHeaders, JSON.stringify({ message: 'Endpoint request timed out' }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
      const resultBody = result.isBase64Encoded
        ? Buffer.from(result.body, 'base64').toString('utf8')
        : result.body;
      send(response, result.statusCode, headers, resultBody);
    } catch (error) {
      // API Gateway answers 502 when the integration itself fails.
      send(
        response,
        502,
        jsonHeaders,
        JSON.stringify({ message: 'Internal server error', detail: String(error) }),
      );
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
