/** Rate-limit settings; `false` turns limiting off. */
export interface RateLimitSettings {
  requestsPerWindow: number;
  windowMs: number;
  searchPerSecond: number;
  /** Requests per day (HubSpot's DAILY policy); default 1,000,000. */
  daily: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = {
  requestsPerWindow: 190,
  windowMs: 10_000,
  searchPerSecond: 5,
  daily: 1_000_000,
};

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';

export interface RateLimitDecision {
  /** Undefined when the request may proceed. */
  exceeded: RateLimitPolicy | undefined;
  headers: Record<string, string>;
}

/** A rolling window of accepted request times: a ring buffer, O(1) per request. */
class RollingWindow {
  private times: number[] = [];
  private head = 0;

  count(now: number, windowMs: number): number {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - windowMs) this.head++;
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

/**
 * HubSpot's limits for a privately distributed app such as Dealreg's: a rolling window (default 190 requests per 10 s) over every
 * API call, a per-second limit on search calls and a daily budget. Only accepted requests count,
 * so a client that keeps under the limit never sees a 429.
 */
export class RateLimiter {
  settings: RateLimitSettings | false;
  private window = new RollingWindow();
  private searchWindow = new RollingWindow();
  private dayStart = 0;
  private dayCount = 0;
  private readonly clock: () => number;

  constructor(settings: RateLimitSettings | false, clock: () => number = () => performance.now()) {
    this.settings = settings;
    this.clock = clock;
  }

  reset(): void {
    this.window = new RollingWindow();
    this.searchWindow = new RollingWindow();
    this.dayCount = 0;
  }

  /**
   * Decides on one request and returns the `X-HubSpot-RateLimit-*` headers to send with it.
   * With `consume` false (an injected 429) nothing is counted.
   */
  take(isSearch: boolean, wallClock: number, consume = true): RateLimitDecision {
    const settings = this.settings;
    if (settings === false) return { exceeded: undefined, headers: {} };
    const now = this.clock();
    const day = Math.floor(wallClock / 86_400_000);
    if (day !== this.dayStart) {
      this.dayStart = day;
      this.dayCount = 0;
    }
    const used = this.window.count(now, settings.windowMs);
    const searchUsed = isSearch ? this.searchWindow.count(now, 1000) : 0;
    let exceeded: RateLimitPolicy | undefined;
    if (this.dayCount >= settings.daily) exceeded = 'DAILY';
    else if (used >= settings.requestsPerWindow) exceeded = 'TEN_SECONDLY_ROLLING';
    else if (isSearch && searchUsed >= settings.searchPerSecond) exceeded = 'SECONDLY';
    if (!consume) exceeded = exceeded ?? 'TEN_SECONDLY_ROLLING';
    if (exceeded === undefined) {
      this.window.add(now);
      if (isSearch) this.searchWindow.add(now);
      this.dayCount++;
    }
    const accepted = exceeded === undefined ? 1 : 0;
    const headers: Record<string, string> = {
      'X-HubSpot-RateLimit-Max': String(settings.requestsPerWindow),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, settings.requestsPerWindow - used - accepted)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(settings.windowMs),
      'X-HubSpot-RateLimit-Daily': String(settings.daily),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, settings.daily - this.dayCount)),
    };
    if (isSearch) {
      headers['X-HubSpot-RateLimit-Secondly'] = String(settings.searchPerSecond);
      headers['X-HubSpot-RateLimit-Secondly-Remaining'] = String(
        Math.max(0, settings.searchPerSecond - searchUsed - accepted),
      );
    }
    return { exceeded, headers };
  }
}

/** The 429 body HubSpot sends for each policy. */
export function rateLimitBody(policy: RateLimitPolicy, correlationId: string): Record<string, unknown> {
  const message =
    policy === 'DAILY'
      ? 'You have reached your daily limit.'
      : policy === 'SECONDLY'
        ? 'You have reached your secondly limit.'
        : 'You have reached your ten_secondly_rolling limit.';
  return { status: 'error', message, errorType: 'RATE_LIMIT', correlationId, policyName: policy };
}
