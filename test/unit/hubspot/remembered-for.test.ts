import { describe, expect, it } from 'vitest';
import { rememberedFor } from '#adapters/hubspot/crm-requests.ts';

/** A read that answers how many times it was made, and can be held or made to fail. */
function reads() {
  const state = { count: 0, fail: false, hold: undefined as Promise<void> | undefined };
  const load = async () => {
    state.count += 1;
    const answer = state.count;
    if (state.hold !== undefined) await state.hold;
    if (state.fail) throw new Error('HubSpot is down');
    return answer;
  };
  return { state, load };
}

describe('a CRM read kept for a bounded time', () => {
  it('answers the kept value while it is younger than its bound, and reads again once it is not', async () => {
    let now = 1_000_000;
    const { state, load } = reads();
    const pipelines = rememberedFor(load, 300_000, () => now);

    expect(await pipelines()).toBe(1);
    now += 299_999;
    expect(await pipelines()).toBe(1);
    now += 1;
    expect(await pipelines()).toBe(2);
    expect(state.count).toBe(2);
  });

  it('reads again at once when asked for a fresh copy, and keeps that one from then', async () => {
    let now = 0;
    const { load } = reads();
    const pipelines = rememberedFor(load, 300_000, () => now);

    expect(await pipelines()).toBe(1);
    now += 1000;
    expect(await pipelines({ fresh: true })).toBe(2);
    now += 299_500;
    expect(await pipelines()).toBe(2);
  });

  it('shares a read under way with every call meanwhile, fresh or not', async () => {
    const { state, load } = reads();
    let release = () => {};
    state.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pipelines = rememberedFor(load, 300_000, () => 0);

    const answers = Promise.all([pipelines(), pipelines(), pipelines({ fresh: true })]);
    release();

    expect(await answers).toEqual([1, 1, 1]);
    expect(state.count).toBe(1);
  });

  it('forgets a failed read, so the next call asks again', async () => {
    const { state, load } = reads();
    const pipelines = rememberedFor(load, 300_000, () => 0);
    state.fail = true;

    await expect(pipelines()).rejects.toThrow('HubSpot is down');
    state.fail = false;
    expect(await pipelines()).toBe(2);
  });
});
