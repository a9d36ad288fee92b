import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dealreg } from '#test/support/dealreg-cli.ts';

/** An AWS config and credentials file pair, as `aws configure` writes them, for AWS_CONFIG_FILE. */
async function awsSharedFiles(): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'dealreg-aws-'));
  const config = join(dir, 'config');
  const credentials = join(dir, 'credentials');
  await writeFile(
    config,
    '[default]\nregion = eu-west-1\n\n[profile work]\nregion = eu-central-1\n\n[sso-session corp]\nsso_region = eu-west-1\n',
  );
  await writeFile(
    credentials,
    '[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = example\n\n[ci]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = example\n',
  );
  return {
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_PROFILE: '',
    AWS_REGION: '',
    AWS_DEFAULT_REGION: '',
  };
}

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

  it('without AWS credentials says so once, naming how to give them, and runs no check', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dealreg-aws-'));
    const result = await dealreg(['doctor', '--stage', 'prod', '--region', 'eu-west-1'], {
      // Nowhere the default credential chain looks holds credentials.
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_PROFILE: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^dealreg: no AWS credentials \(.*\): dealreg doctor reads the deployed stage with them, so none of its checks ran\. Pass --profile NAME or set AWS_PROFILE .* or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
  });

  it('names a --profile that is in neither AWS file, and the profiles that are', async () => {
    const result = await dealreg(
      ['doctor', '--stage', 'prod', '--profile', 'nosuch'],
      await awsSharedFiles(),
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--profile nosuch: no AWS profile "nosuch"');
    expect(result.stderr).toContain('are ci, default, work');
    expect(result.stderr).not.toContain('no AWS region');
    expect(result.stdout).toBe('');
  });

  it('names an AWS_PROFILE that is in neither AWS file, even when --region is given', async () => {
    const result = await dealreg(['doctor', '--stage', 'prod', '--region', 'eu-west-1'], {
      ...(await awsSharedFiles()),
      AWS_PROFILE: 'nosuch',
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AWS_PROFILE=nosuch: no AWS profile "nosuch"');
    expect(result.stdout).toBe('');
  });

  it('names the profile that has no region', async () => {
    const result = await dealreg(['doctor', '--stage', 'prod', '--profile', 'ci'], await awsSharedFiles());

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no AWS region');
    expect(result.stderr).toContain('the AWS profile "ci"');
  });
});
