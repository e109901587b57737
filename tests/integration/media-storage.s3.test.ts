// The S3 adapter against a real S3-compatible server (s3rver on a random port): the adapter alone,
// then an upload over HTTP with MEDIA_STORAGE=s3 whose links are fetched from the object store.
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import request from 'supertest';
import { createS3Storage } from '../../src/repositories/media/s3';
import { InvalidMediaNameError, type MediaStorage } from '../../src/repositories/media/media-storage';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole } from '../support/auth';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { insertProducts } from './products.fixture';
import { solidImage } from '../support/images';

// s3rver ships no type declarations; this is the part of its API we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };

useTestDatabase();

const BUCKET = 'catalog-media';
const nameOf = (body: Buffer, ext: string) => `${createHash('sha256').update(body).digest('hex')}.${ext}`;

describe('S3 media storage (s3rver)', () => {
  let dir: string;
  let server: InstanceType<typeof S3rver>;
  let endpoint: string;
  let storage: MediaStorage;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 's3rver-'));
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
    storage = createS3Storage({
      endpoint,
      region: 'us-east-1',
      bucket: BUCKET,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      forcePathStyle: true,
      keyPrefix: 'products/',
      publicBaseUrl: `${endpoint}/${BUCKET}`,
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when an object is put, then it reads back byte for byte, its public link serves it with immutable caching, and remove deletes it', async () => {
    const body = await solidImage(64, 48, 'webp');
    const name = nameOf(body, 'webp');
    await storage.put(name, body);

    const read = await storage.get(name);
    expect(read?.contentType).toBe('image/webp');
    expect(read?.body.equals(body)).toBe(true);

    const url = storage.url(name);
    expect(url).toBe(`${endpoint}/${BUCKET}/products/${name}`);
    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/webp');
    expect(fetched.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(body)).toBe(true);

    await storage.remove(name);
    expect(await storage.get(name)).toBeNull();
    await expect(storage.remove(name)).resolves.toBeUndefined();
  });

  it('when a name is not a content hash, then the adapter refuses it without calling the store', async () => {
    await expect(storage.put('../../etc/passwd.png', Buffer.from('x'))).rejects.toBeInstanceOf(InvalidMediaNameError);
    await expect(storage.get('a/../b.jpg')).rejects.toBeInstanceOf(InvalidMediaNameError);
  });

  it('when the store cannot be reached, then get fails instead of reporting the image as missing (a 5xx, not a 404)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const unreachable = createS3Storage({ region: 'us-east-1', bucket: BUCKET, forcePathStyle: true, keyPrefix: '', publicBaseUrl: 'http://cdn.invalid' }, client);
    try {
      const failure = await unreachable.get(nameOf(Buffer.from('x'), 'png')).then(() => null, (err: unknown) => err);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(InvalidMediaNameError);
    } finally {
      client.destroy();
    }
  });

  describe('with MEDIA_STORAGE=s3', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await createTestContext({
        env: {
          MEDIA_STORAGE: 's3',
          S3_ENDPOINT: endpoint,
          S3_BUCKET: BUCKET,
          S3_ACCESS_KEY_ID: 'S3RVER',
          S3_SECRET_ACCESS_KEY: 'S3RVER',
          S3_FORCE_PATH_STYLE: 'true',
          MEDIA_PUBLIC_BASE_URL: `${endpoint}/${BUCKET}`,
        },
      });
    });
    afterAll(async () => ctx.close());

    it('when a manager uploads an image, then the original and thumbnails land in the bucket, their links work, and delete removes them', async () => {
      const [productId] = await insertProducts([{ name: 'S3 Lamp', price: 20 }]);
      const manager = (await callerWithRole(ctx, 'manager')).headers;
      const res = await request(ctx.app)
        .post(`/api/v1/products/${productId}/images`)
        .set(manager)
        .attach('file', await solidImage(1000, 500, 'jpeg'), 'lamp.jpg');
      expectSuccess(res, 201);
      const links: string[] = [res.body.data.url, res.body.data.thumbnails[200], res.body.data.thumbnails[800]];
      for (const link of links) expect(link.startsWith(`${endpoint}/${BUCKET}/`)).toBe(true);
      const thumb = await fetch(res.body.data.thumbnails[800]);
      expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(800);
      // The API's /media route serves the same object (for buckets that are not public).
      expect((await request(ctx.app).get(`/media/${path.basename(links[0]!)}`)).status).toBe(200);

      const removed = await request(ctx.app).delete(`/api/v1/products/${productId}/images/${res.body.data.id}`).set(manager);
      expect(removed.status).toBe(204);
      for (const link of links) expect((await fetch(link)).status).toBe(404);
    });
  });
});
