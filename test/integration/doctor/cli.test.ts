import { describe, expect, it } from 'vitest';
import { dealreg } from '#test/support/dealreg-cli.ts';

describe('dealreg doctor on the command line', () => {
  it('needs a stage', async () => {
    const result = await dealreg(['doctor']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--stage <stage>'");
  });

  it('exits 1 with one line per check when AWS cannot be reached', async () => {
    const result = await dealreg(['doctor', '--stage', 'prod', '--region', 'eu-west-1'], {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
      AWS_MAX_ATTEMPTS: '1',
      AWS_PROFILE: '',
    });

    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('Dealreg doctor — stage prod in eu-west-1');
    expect(lines.slice(1, -1)).toHaveLength(11);
    expect(lines.slice(1, -1).every((line) => /^[✓✗–] /.test(line))).toBe(true);
    expect(result.stdout).toContain('✗ Data stack deployed: could not check');
  });
});
