import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DigestExistsError, S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';

const s3 = mockClient(S3Client);
const store = new S3DigestStore(new S3Client({ region: 'eu-west-1' }), 'ledger-digests-bucket');

beforeEach(() => s3.reset());

describe('S3 digest store', () => {
  it('puts a new digest once, with the checksum Object Lock requires and If-None-Match', async () => {
    s3.on(PutObjectCommand).resolves({});

    const location = await store.write('digest-1.json', '{"root":"x"}');

    expect(location).toBe('s3://ledger-digests-bucket/ledger-digests/digest-1.json');
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'ledger-digests-bucket',
      Key: 'ledger-digests/digest-1.json',
      ChecksumAlgorithm: 'SHA256',
      IfNoneMatch: '*',
      ContentType: 'application/json',
    });
  });

  it('refuses to write over an existing digest', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      }),
    );

    await expect(store.write('digest-1.json', '{}')).rejects.toBeInstanceOf(DigestExistsError);
  });

  it('lists digests across pages, oldest first, and reads one', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'ledger-digests/digest-2.json' }],
        IsTruncated: true,
        NextContinuationToken: 'page-2',
      })
      .resolvesOnce({
        Contents: [{ Key: 'ledger-digests/digest-1.json' }, { Key: 'ledger-digests/notes.txt' }],
      });
    // The store only calls transformToString on the body.
    const body = {
      transformToString: async () => '{"root":"r"}',
    } as unknown as NonNullable<GetObjectCommandOutput['Body']>;
    s3.on(GetObjectCommand).resolves({ Body: body });

    expect(await store.list()).toEqual(['digest-1.json', 'digest-2.json']);
    expect(s3.commandCalls(ListObjectsV2Command)[1]?.args[0].input.ContinuationToken).toBe('page-2');
    expect(await store.read('digest-1.json')).toBe('{"root":"r"}');
  });
});
