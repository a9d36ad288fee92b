import { createHmac } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GenerateMacCommand,
  KMSClient,
  KMSInvalidMacException,
  NotFoundException,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KmsLedgerKey } from '#adapters/ledger/kms-ledger-key.ts';
import { LedgerKeyError, LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';

const message = `dealreg-ledger-entry-v1\nopp-1\n3\n${'a'.repeat(64)}`;

describe('local ledger key', () => {
  it('makes HMAC-SHA256 MACs (RFC 2104) that it verifies, and refuses another key’s or a malformed one', async () => {
    const bytes = Buffer.alloc(32, 7);
    const key = new LocalLedgerKey(bytes);

    const mac = await key.generateMac(message);
    const other = await LocalLedgerKey.random().generateMac(message);

    expect(mac).toBe(createHmac('sha256', bytes).update(message).digest('hex'));
    expect(
      await key.verifyMacs([
        { message, mac },
        { message, mac: other },
        { message, mac: 'zz' },
      ]),
    ).toEqual([true, false, false]);
    expect(await key.verifyMacs([{ message: `${message}x`, mac }])).toEqual([false]);
  });

  it('creates the key file readable by its owner only, and reads the same key back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-key-'));
    const path = localLedgerKeyPath(dataDir);

    const created = await LocalLedgerKey.loadOrCreate(path);
    const again = await LocalLedgerKey.loadOrCreate(path);
    const loaded = await LocalLedgerKey.load(path);

    expect(statSync(path).mode & 0o777).toBe(0o600);
    const mac = await created.generateMac(message);
    expect(await again.generateMac(message)).toBe(mac);
    expect(await loaded.verifyMacs([{ message, mac }])).toEqual([true]);
  });

  it('names a missing key file and one that holds no key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-key-'));
    writeFileSync(join(dataDir, 'short.key'), 'c2hvcnQ=\n');

    await expect(LocalLedgerKey.load(localLedgerKeyPath(dataDir))).rejects.toThrow(
      /no ledger key at .*ledger-mac\.key: start the local stack/,
    );
    await expect(LocalLedgerKey.load(join(dataDir, 'short.key'))).rejects.toThrow(LedgerKeyError);
  });
});

describe('KMS ledger key', () => {
  const kms = mockClient(KMSClient);
  const keyArn = 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000';
  beforeEach(() => kms.reset());
  // The mock replaces every KMS client's `send`; the wire test below needs the real one.
  afterAll(() => kms.restore());

  it('asks GenerateMac for an HMAC_SHA_256 MAC of the UTF-8 message and returns it as hex', async () => {
    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array([0xab, 0x01]), KeyId: keyArn });
    const key = new KmsLedgerKey(new KMSClient({ region: 'eu-west-1' }), keyArn);

    const mac = await key.generateMac(message);

    expect(mac).toBe('ab01');
    const input = kms.commandCalls(GenerateMacCommand)[0]?.args[0].input;
    expect(input).toEqual({ KeyId: keyArn, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from(message) });
  });

  it('answers false for a MAC KMS rejects (KMSInvalidMacException or MacValid false) and true once verified', async () => {
    const good = 'a'.repeat(64);
    const bad = 'b'.repeat(64);
    const worse = 'c'.repeat(64);
    kms
      .on(VerifyMacCommand, { Mac: Buffer.from(good, 'hex') })
      .resolves({ MacValid: true })
      .on(VerifyMacCommand, { Mac: Buffer.from(bad, 'hex') })
      .rejects(new KMSInvalidMacException({ $metadata: {}, message: 'invalid' }))
      .on(VerifyMacCommand, { Mac: Buffer.from(worse, 'hex') })
      .resolves({ MacValid: false });
    const key = new KmsLedgerKey(new KMSClient({ region: 'eu-west-1' }), keyArn);

    const answers = await key.verifyMacs([
      { message, mac: good },
      { message, mac: bad },
      { message, mac: worse },
      { message, mac: 'not hex' },
    ]);
    const again = await key.verifyMacs([{ message, mac: good }]);

    expect(answers).toEqual([true, false, false, false]);
    expect(again).toEqual([true]);
    // The malformed MAC never reached KMS; the one already verified was remembered.
    expect(kms.commandCalls(VerifyMacCommand)).toHaveLength(3);
    expect(kms.commandCalls(VerifyMacCommand)[0]?.args[0].input).toEqual({
      KeyId: keyArn,
      MacAlgorithm: 'HMAC_SHA_256',
      Message: Buffer.from(message),
      Mac: Buffer.from(good, 'hex'),
    });
  });

  it('keeps at most `concurrency` VerifyMac calls in flight and fails on any other error', async () => {
    let inFlight = 0;
    let most = 0;
    kms.on(VerifyMacCommand).callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return { MacValid: true };
    });
    const key = new KmsLedgerKey(new KMSClient({ region: 'eu-west-1' }), keyArn, { concurrency: 4 });
    const claims = Array.from({ length: 40 }, (_, index) => ({
      message: `${message}${index}`,
      mac: index.toString(16).padStart(64, '0'),
    }));

    const answers = await key.verifyMacs(claims);
    kms.on(VerifyMacCommand).rejects(new NotFoundException({ $metadata: {}, message: 'no such key' }));

    expect(answers.every(Boolean)).toBe(true);
    expect(most).toBe(4);
    expect(key.calls).toBe(40);
    await expect(key.verifyMacs([{ message, mac: 'd'.repeat(64) }])).rejects.toThrow(NotFoundException);
  });
});

/**
 * The requests as the AWS SDK puts them on the wire, against a stand-in KMS endpoint that answers
 * as the KMS API Reference documents GenerateMac and VerifyMac (AWS JSON 1.1: `X-Amz-Target:
 * TrentService.<Operation>`, blobs base64; an invalid MAC is HTTP 400 `KMSInvalidMacException`).
 */
describe('KMS ledger key requests through the SDK', () => {
  let server: Server;
  let endpoint: string;
  const received: { target: string | undefined; body: Record<string, string> }[] = [];
  const secret = Buffer.alloc(32, 9);
  const hmac = (text: Buffer) => createHmac('sha256', secret).update(text).digest();

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>;
        const target = request.headers['x-amz-target'] as string | undefined;
        received.push({ target, body });
        const reply = (status: number, payload: object) => {
          response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify(payload));
        };
        const mac = hmac(Buffer.from(body.Message ?? '', 'base64'));
        if (target === 'TrentService.GenerateMac') {
          reply(200, { KeyId: body.KeyId, Mac: mac.toString('base64'), MacAlgorithm: body.MacAlgorithm });
        } else if (Buffer.from(body.Mac ?? '', 'base64').equals(mac)) {
          reply(200, { KeyId: body.KeyId, MacValid: true, MacAlgorithm: body.MacAlgorithm });
        } else {
          reply(400, { __type: 'KMSInvalidMacException', message: 'The MAC is not valid' });
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends GenerateMac and VerifyMac as KMS documents them, and reads both answers', async () => {
    const client = new KMSClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const key = new KmsLedgerKey(client, 'alias/dealreg/test/ledger-mac');

    const mac = await key.generateMac(message);
    const answers = await key.verifyMacs([
      { message, mac },
      { message: `${message}!`, mac },
    ]);
    client.destroy();

    expect(mac).toBe(hmac(Buffer.from(message)).toString('hex'));
    expect(answers).toEqual([true, false]);
    expect(received[0]).toEqual({
      target: 'TrentService.GenerateMac',
      body: {
        KeyId: 'alias/dealreg/test/ledger-mac',
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(message).toString('base64'),
      },
    });
    expect(received[1]).toEqual({
      target: 'TrentService.VerifyMac',
      body: {
        KeyId: 'alias/dealreg/test/ledger-mac',
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(message).toString('base64'),
        Mac: Buffer.from(mac, 'hex').toString('base64'),
      },
    });
  });
});
