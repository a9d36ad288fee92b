import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomically } from '#local/atomic-file.ts';
import { VirtualClock } from '#local/clock.ts';
import { SaveSoon } from '#local/save-soon.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('saving soon after changes', () => {
  it('puts a burst of changes into few saves, the last one holding the last change', async () => {
    let value = 0;
    const saved: number[] = [];
    const saver = new SaveSoon({
      save: async () => {
        saved.push(value);
      },
      delayMs: 20,
      onError: (error) => {
        throw error;
      },
    });

    for (value = 1; value <= 100; value++) saver.changed();
    value = 100;
    await saver.flush();

    expect(saved.length).toBeLessThanOrEqual(2);
    expect(saved.at(-1)).toBe(100);
  });

  it('saves on flush without waiting, and nothing when nothing changed', async () => {
    let saves = 0;
    const saver = new SaveSoon({ save: async () => void saves++, delayMs: 60_000, onError: () => {} });

    await saver.flush();
    expect(saves).toBe(0);
    saver.changed();
    await saver.flush();
    expect(saves).toBe(1);
  });

  it('reports a failed save and saves again on the next change, not in a loop', async () => {
    const errors: unknown[] = [];
    let attempts = 0;
    const saver = new SaveSoon({
      save: async () => {
        attempts++;
        if (attempts === 1) throw new Error('disk full');
      },
      delayMs: 5,
      onError: (error) => errors.push(error),
    });

    saver.changed();
    await pause(50);
    expect(errors).toHaveLength(1);
    expect(attempts).toBe(1);
    saver.changed();
    await saver.flush();
    expect(attempts).toBe(2);
  });

  it('ignores changes after close', async () => {
    let saves = 0;
    const saver = new SaveSoon({ save: async () => void saves++, delayMs: 5, onError: () => {} });
    saver.changed();
    await saver.close();
    saver.changed();
    await pause(30);
    expect(saves).toBe(1);
  });
});

describe('writing a file atomically', () => {
  it('replaces the content whole and leaves no temporary file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'dealreg-atomic-'));
    const file = join(directory, 'state.json');

    await writeFileAtomically(file, '{"a":1}');
    await writeFileAtomically(file, '{"a":2}');

    expect(await readFile(file, 'utf8')).toBe('{"a":2}');
    expect(await readdir(directory)).toEqual(['state.json']);
  });
});

describe('the virtual clock', () => {
  it('tells its listeners the new time after each move', async () => {
    const clock = new VirtualClock('2026-11-24T09:00:00Z');
    const moves: string[] = [];
    const stop = clock.onMoved((now) => moves.push(now.toISOString()));

    await clock.advance('PT1H');
    await clock.setTo('2026-11-25T09:00:00Z');
    stop();
    await clock.advance('PT1H');

    expect(moves).toEqual(['2026-11-24T10:00:00.000Z', '2026-11-25T09:00:00.000Z']);
  });
});
