import { SandboxAdminError } from './errors.ts';
import type { RateLimitPolicy } from './rate-limiter.ts';

/** An injected fault: the next `times` requests matching `path` (and `method`) get it. */
export interface Fault {
  id: number;
  /** A regular expression tested against the request path (without the query string). */
  path: RegExp;
  method: string | undefined;
  /** HTTP status to answer with (429 or 5xx); undefined for latency only. */
  status: number | undefined;
  /** Delay before answering (or before handling normally when there is no status). */
  latencyMs: number;
  /** For 429: the policy named in the body. */
  policyName: RateLimitPolicy;
  remaining: number;
}

export interface FaultRequest {
  path?: unknown;
  method?: unknown;
  status?: unknown;
  latencyMs?: unknown;
  times?: unknown;
  policyName?: unknown;
}

/** Holds injected faults and hands out the one that applies to a request. */
export class FaultInjector {
  private faults: Fault[] = [];
  private nextId = 1;
  injected = 0;

  add(request: FaultRequest): Fault {
    if (typeof request.path !== 'string' || request.path === '') {
      throw new SandboxAdminError(
        'fault "path" is required: a regular expression matched against the request path',
      );
    }
    let path: RegExp;
    try {
      path = new RegExp(request.path);
    } catch (error) {
      throw new SandboxAdminError(`fault "path" is not a valid regular expression: ${request.path}`, {
        cause: error,
      });
    }
    const status = request.status === undefined ? undefined : Number(request.status);
    if (status !== undefined && !(status === 429 || (status >= 500 && status <= 599))) {
      throw new SandboxAdminError(`fault "status" must be 429 or 5xx; got ${String(request.status)}`);
    }
    const latencyMs = request.latencyMs === undefined ? 0 : Number(request.latencyMs);
    if (!Number.isFinite(latencyMs) || latencyMs < 0)
      throw new SandboxAdminError('fault "latencyMs" must be ≥ 0');
    if (status === undefined && latencyMs === 0)
      throw new SandboxAdminError('a fault needs a "status", a "latencyMs" or both');
    const times = request.times === undefined ? 1 : Number(request.times);
    if (!Number.isInteger(times) || times < 1)
      throw new SandboxAdminError('fault "times" must be a positive integer');
    const policyName = (request.policyName ?? 'TEN_SECONDLY_ROLLING') as RateLimitPolicy;
    if (!['TEN_SECONDLY_ROLLING', 'SECONDLY', 'DAILY'].includes(policyName)) {
      throw new SandboxAdminError('fault "policyName" must be TEN_SECONDLY_ROLLING, SECONDLY or DAILY');
    }
    const fault: Fault = {
      id: this.nextId++,
      path,
      method: typeof request.method === 'string' ? request.method.toUpperCase() : undefined,
      status,
      latencyMs,
      policyName,
      remaining: times,
    };
    this.faults.push(fault);
    return fault;
  }

  /** Takes the first fault matching the request, counting it down. */
  take(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(
      (fault) => fault.path.test(path) && (fault.method === undefined || fault.method === method),
    );
    const fault = this.faults[index];
    if (fault === undefined) return undefined;
    fault.remaining--;
    if (fault.remaining === 0) this.faults.splice(index, 1);
    this.injected++;
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Record<string, unknown>[] {
    return this.faults.map((fault) => ({
      id: fault.id,
      path: fault.path.source,
      method: fault.method,
      status: fault.status,
      latencyMs: fault.latencyMs,
      policyName: fault.policyName,
      remaining: fault.remaining,
    }));
  }
}
