import { describe, expect, it } from 'vitest';
import { counted, plural } from '#domain/plural.ts';

describe('counts in messages', () => {
  it('take the singular for one and the plural for every other count, zero included', () => {
    expect(counted(1, 'problem')).toBe('1 problem');
    expect(counted(0, 'problem')).toBe('0 problems');
    expect(counted(2, 'entry', 'entries')).toBe('2 entries');
    expect(counted(1, 'opportunity', 'opportunities')).toBe('1 opportunity');
    expect(counted(1.5, 'hour')).toBe('1.5 hours');
  });

  it('give the word alone for verbs and pronouns that follow a count', () => {
    expect(plural(1, 'has', 'have')).toBe('has');
    expect(plural(3, 'has', 'have')).toBe('have');
    expect(plural(2, 'it', 'them')).toBe('them');
  });
});
