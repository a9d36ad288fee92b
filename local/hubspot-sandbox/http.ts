import type { IncomingMessage } from 'node:http';
import { HubSpotApiError, validationError } from './errors.ts';

/** A parsed request as route handlers see it. */
export interface SandboxRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The raw body text ('' when none). */
  text: string;
  /** The body parsed as JSON; 400 in HubSpot's shape when it is not JSON. */
  json(): unknown;
  /** The body as a JSON object; 400 when it is not one. */
  object(): Record<string, unknown>;
}

export interface SandboxResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
  /** Which rate limits apply: none (admin, public form submit), the API window, or API + search. */
  kind: 'api' | 'search' | 'public' | 'admin';
}

/** Compiles `/crm/v3/objects/:type/:id` into a route. */
export function route(method: string, path: string, kind: Route['kind'], handler: Handler): Route {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    })
    .join('/');
  return { method, pattern: new RegExp(`^${source}/?$`), names, handler, kind };
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | 'method-not-allowed' | undefined {
  let pathMatched = false;
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (match === null) continue;
    pathMatched = true;
    if (candidate.method !== method) continue;
    const params: Record<string, string> = {};
    candidate.names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    return { route: candidate, params };
  }
  return pathMatched ? 'method-not-allowed' : undefined;
}

export function makeRequest(
  method: string,
  url: URL,
  headers: IncomingMessage['headers'],
  text: string,
  params: Record<string, string>,
): SandboxRequest {
  let parsed: { value: unknown } | undefined;
  const json = (): unknown => {
    if (parsed === undefined) {
      if (text.trim() === '') throw validationError('Invalid input JSON: the request body is empty');
      try {
        parsed = { value: JSON.parse(text) };
      } catch (error) {
        throw new HubSpotApiError(
          400,
          `Invalid input JSON: ${(error as Error).message}`,
          'VALIDATION_ERROR',
          {},
          { cause: error },
        );
      }
    }
    return parsed.value;
  };
  return {
    method,
    path: url.pathname,
    params,
    query: url.searchParams,
    headers,
    text,
    json,
    object: () => {
      const value = json();
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw validationError('Invalid input JSON: expected a JSON object');
      }
      return value as Record<string, unknown>;
    },
  };
}

/** Reads a request body up to `limit` bytes; 413 beyond. */
export async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit)
      throw new HubSpotApiError(413, `Request body larger than ${limit} bytes`, 'VALIDATION_ERROR');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `properties=a,b&properties=c` → ['a', 'b', 'c'], or undefined when absent. */
export function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  return values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/** An integer query parameter within bounds; 400 naming it otherwise. */
export function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw validationError(`${name} must be an integer between 1 and ${max}; got ${raw}`);
  }
  return value;
}
