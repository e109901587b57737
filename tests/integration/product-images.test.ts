// Product images over HTTP: content-based type detection, size and pixel bounds, metadata
// stripping, thumbnails, /media caching, order, alt text, delete, the per-product bound and roles.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import sharp from 'sharp';
import request from 'supertest';
import { Product } from '../support/models';
import type { ProductImageView as ImageView } from '../../src/services/media/view';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, registerAndLogin } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { jpegWithExif, NOT_AN_IMAGE, pngDeclaring, solidImage } from '../support/images';
import { insertProducts } from './products.fixture';

useTestDatabase();

const mediaPath = (url: string) => new URL(url).pathname;

describe('product images', () => {
  let mediaDir: string;
  let ctx: TestContext;
  /** Same database, tight limits: 60 kB uploads, 1 megapixel, 2 images per product. */
  let tight: TestContext;
  let manager: { Authorization: string };
  let admin: { Authorization: string };

  beforeAll(async () => {
    mediaDir = mkdtempSync(path.join(tmpdir(), 'media-test-'));
    ctx = await createTestContext({ env: { MEDIA_DIR: mediaDir, PUBLIC_URL: 'http://shop.test' } });
    tight = await createTestContext({
      env: { MEDIA_DIR: mediaDir, MEDIA_MAX_UPLOAD_BYTES: '60000', MEDIA_MAX_PIXELS: '1000000', MEDIA_MAX_IMAGES_PER_PRODUCT: '2' },
    });
    manager = (await callerWithRole(ctx, 'manager')).headers;
    admin = (await callerWithRole(ctx, 'admin')).headers;
  });
  afterAll(async () => {
    await Promise.all([ctx.close(), tight.close()]);
    rmSync(mediaDir, { recursive: true, force: true });
  });

  const storedFiles = () => readdirSync(mediaDir).filter((name) => !name.startsWith('.'));
  const newProduct = async (name = 'Camera') => (await insertProducts([{ name, price: 100, stock: 3 }]))[0]!;

  function upload(app: TestContext, productId: string, file: Buffer, filename = 'photo.jpg', contentType = 'image/jpeg', headers = manager) {
    return request(app.app).post(`/api/v1/products/${productId}/images`).set(headers).attach('file', file, { filename, contentType });
  }

  async function uploaded(productId: string, file: Buffer, alt?: string): Promise<ImageView> {
    const req = upload(ctx, productId, file);
    const res = alt === undefined ? await req : await req.field('alt', alt);
    expectSuccess(res, 201);
    return res.body.data as ImageView;
  }

  describe('POST /api/v1/products/:id/images', () => {
    it('when a manager uploads a JPEG with EXIF, then the stored original has no metadata, is upright, and WebP thumbnails are 200 and 800 px wide', async () => {
      const productId = await newProduct();
      // 1600×1000 stored sideways with orientation 6: displayed 1000 wide, 1600 high.
      const image = await uploaded(productId, await jpegWithExif(1600, 1000), 'Front view');
      expect(image).toMatchObject({ alt: 'Front view', position: 0, width: 1000, height: 1600 });
      expect(image.url).toMatch(/^http:\/\/shop\.test\/media\/[a-f0-9]{64}\.jpg$/);

      const original = await request(ctx.app).get(mediaPath(image.url)).buffer(true);
      expect(original.status).toBe(200);
      expect(original.headers['content-type']).toBe('image/jpeg');
      const meta = await sharp(original.body as Buffer).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 1000, height: 1600 });
      expect(meta.exif).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect((original.body as Buffer).includes(Buffer.from('secret-owner'))).toBe(false);

      for (const width of [200, 800] as const) {
        const thumb = await request(ctx.app).get(mediaPath(image.thumbnails[width])).buffer(true);
        expect(thumb.headers['content-type']).toBe('image/webp');
        const thumbMeta = await sharp(thumb.body as Buffer).metadata();
        expect(thumbMeta).toMatchObject({ format: 'webp', width, height: Math.round((width * 1600) / 1000) });
        expect(thumbMeta.exif).toBeUndefined();
      }
    });

    it('when an image is uploaded, then the product response lists it and its version (ETag) moves on', async () => {
      const productId = await newProduct();
      const before = await request(ctx.app).get(`/api/v1/products/${productId}`);
      const image = await uploaded(productId, await solidImage(900, 600, 'webp'));
      const after = await request(ctx.app).get(`/api/v1/products/${productId}`);
      expectSuccess(after);
      expect(after.body.data.images).toEqual([image]);
      expect(after.body.data.version).toBe(before.body.data.version + 1);
      expect(after.headers.etag).not.toBe(before.headers.etag);
      const list = await request(ctx.app).get('/api/v1/products').query({ search: 'Camera', limit: 100 });
      expect(list.body.data.find((p: { id: string }) => p.id === productId).images).toEqual([image]);
    });

    it.each([
      ['a text file renamed photo.jpg', NOT_AN_IMAGE.text, 'photo.jpg', 'image/jpeg'],
      ['a Windows executable renamed photo.jpg', NOT_AN_IMAGE.exe, 'photo.jpg', 'image/jpeg'],
      ['an SVG (scriptable) sent as image/png', NOT_AN_IMAGE.svg, 'logo.png', 'image/png'],
    ])('when the file is %s, then 415 UNSUPPORTED_MEDIA_TYPE and nothing is stored', async (_label, file, filename, contentType) => {
      const productId = await newProduct();
      const files = storedFiles().length;
      const res = await upload(ctx, productId, file, filename, contentType);
      expectErrorContract(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(storedFiles()).toHaveLength(files);
      expect((await Product.findById(productId).lean())?.images ?? []).toHaveLength(0);
    });

    it('when the file exceeds MEDIA_MAX_UPLOAD_BYTES, then 413 PAYLOAD_TOO_LARGE', async () => {
      const productId = await newProduct();
      const big = await sharp({ create: { width: 700, height: 700, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
      expect(big.length).toBeGreaterThan(60_000);
      const res = await upload(tight, productId, big, 'big.png', 'image/png');
      expectErrorContract(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('when a PNG declares 50000×50000 pixels (a decompression bomb), then 422 IMAGE_DIMENSIONS_EXCEEDED before any decoding', async () => {
      const productId = await newProduct();
      const bomb = pngDeclaring(50_000, 50_000);
      expect(bomb.length).toBeLessThan(2000);
      const files = storedFiles().length;
      const started = Date.now();
      const res = await upload(ctx, productId, bomb, 'bomb.png', 'image/png');
      expectErrorContract(res, 422, 'IMAGE_DIMENSIONS_EXCEEDED');
      expect(res.body.details[0]).toMatchObject({ width: 50_000, height: 50_000 });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(storedFiles()).toHaveLength(files);
    });

    it('when the sides are allowed but the pixel count is not, then 422 IMAGE_DIMENSIONS_EXCEEDED', async () => {
      const productId = await newProduct();
      const res = await upload(tight, productId, await solidImage(1200, 1000, 'png'), 'wide.png', 'image/png');
      expectErrorContract(res, 422, 'IMAGE_DIMENSIONS_EXCEEDED');
    });

    it('when the bytes start like a PNG but are corrupt, then 422 IMAGE_UNREADABLE', async () => {
      const productId = await newProduct();
      const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
      // The header is intact (type and dimensions read fine); the pixel data stops half way.
      const res = await upload(ctx, productId, png.subarray(0, Math.floor(png.length / 2)), 'x.png', 'image/png');
      expectErrorContract(res, 422, 'IMAGE_UNREADABLE');
    });

    it('when parallel uploads race past the per-product bound, then exactly the bound is kept, the rest get 409 and leave no files', async () => {
      const productId = await newProduct();
      const files = storedFiles().length;
      const images = await Promise.all(['#101010', '#202020', '#303030', '#404040', '#505050'].map((c) => solidImage(300, 200, 'png', c)));
      const results = await Promise.all(images.map((img) => upload(tight, productId, img, 'p.png', 'image/png')));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 201, 409, 409, 409]);
      results.filter((r) => r.status === 409).forEach((r) => expectErrorContract(r, 409, 'IMAGE_LIMIT_REACHED'));
      expect((await Product.findById(productId).lean())?.images).toHaveLength(2);
      expect(storedFiles()).toHaveLength(files + 2 * 3);
    });

    it.each([
      ['no file', (r: request.Test) => r.field('alt', 'x'), 400, 'VALIDATION_FAILED'],
      ['two files', (r: request.Test) => r.attach('file', Buffer.from('a'), 'a.png').attach('file', Buffer.from('b'), 'b.png'), 400, 'VALIDATION_FAILED'],
      ['a JSON body', (r: request.Test) => r.send({ file: 'aGVsbG8=' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ])('when the request has %s, then it is refused in the error contract', async (_label, build, status, code) => {
      const productId = await newProduct();
      const res = await build(request(ctx.app).post(`/api/v1/products/${productId}/images`).set(manager));
      expectErrorContract(res, status, code);
    });

    it('when the alt text contains markup, then 400 and nothing is stored', async () => {
      const productId = await newProduct();
      const files = storedFiles().length;
      const res = await upload(ctx, productId, await solidImage(300, 300)).field('alt', '<img src=x onerror=alert(1)>');
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(storedFiles()).toHaveLength(files);
    });

    it('when a customer or an anonymous caller uploads, then 403 / 401 and nothing is stored', async () => {
      const productId = await newProduct();
      const customer = await registerAndLogin(ctx);
      const files = storedFiles().length;
      const image = await solidImage(300, 300);
      expectErrorContract(await upload(ctx, productId, image, 'a.png', 'image/png', customer.headers), 403);
      expectErrorContract(await request(ctx.app).post(`/api/v1/products/${productId}/images`).attach('file', image, 'a.png'), 401);
      expect(storedFiles()).toHaveLength(files);
    });

    it('when the product does not exist, then 404 PRODUCT_NOT_FOUND', async () => {
      const res = await upload(ctx, new Types.ObjectId().toString(), await solidImage(300, 300));
      expectErrorContract(res, 404, 'PRODUCT_NOT_FOUND');
    });
  });

  describe('GET /media/:name', () => {
    it('when a stored file is fetched, then it is served with year-long immutable caching, a strong ETag and 304 on revalidation', async () => {
      const productId = await newProduct();
      const image = await uploaded(productId, await solidImage(1000, 800, 'jpeg'));
      const res = await request(ctx.app).get(mediaPath(image.thumbnails[200]));
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      const again = await request(ctx.app).get(mediaPath(image.thumbnails[200])).set('If-None-Match', res.headers.etag!);
      expect(again.status).toBe(304);
    });

    it('when the name is well-formed but unknown, then 404 MEDIA_NOT_FOUND; when it is not a content hash, then 400', async () => {
      expectErrorContract(await request(ctx.app).get(`/media/${'a'.repeat(64)}.webp`), 404, 'MEDIA_NOT_FOUND');
      expectErrorContract(await request(ctx.app).get('/media/passwd'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('PATCH /api/v1/products/:id/images/:imageId', () => {
    it('when an image is moved to position 0 and its alt text changed, then the others shift and every response agrees', async () => {
      const productId = await newProduct();
      const [a, b, c] = [await uploaded(productId, await solidImage(300, 300, 'png', '#a00')), await uploaded(productId, await solidImage(300, 300, 'png', '#0a0')), await uploaded(productId, await solidImage(300, 300, 'png', '#00a'))];
      const res = await request(ctx.app).patch(`/api/v1/products/${productId}/images/${c!.id}`).set(manager).send({ position: 0, alt: 'Blue' });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ id: c!.id, position: 0, alt: 'Blue' });
      const product = await request(ctx.app).get(`/api/v1/products/${productId}`);
      expect(product.body.data.images.map((i: ImageView) => [i.id, i.position])).toEqual([[c!.id, 0], [a!.id, 1], [b!.id, 2]]);
    });

    it('when the alt text has markup or the image is unknown, then 400 / 404 IMAGE_NOT_FOUND and nothing changes', async () => {
      const productId = await newProduct();
      const image = await uploaded(productId, await solidImage(300, 300), 'Plain');
      expectErrorContract(await request(ctx.app).patch(`/api/v1/products/${productId}/images/${image.id}`).set(manager).send({ alt: '<b>x</b>' }), 400, 'VALIDATION_FAILED');
      expectErrorContract(await request(ctx.app).patch(`/api/v1/products/${productId}/images/${new Types.ObjectId()}`).set(manager).send({ alt: 'x' }), 404, 'IMAGE_NOT_FOUND');
      expect((await Product.findById(productId).lean())?.images?.[0]?.alt).toBe('Plain');
    });
  });

  describe('DELETE /api/v1/products/:id/images/:imageId', () => {
    it('when an image is deleted, then it leaves the product and its files leave storage', async () => {
      const productId = await newProduct();
      const image = await uploaded(productId, await solidImage(1000, 700, 'jpeg', '#123456'));
      const names = [image.url, image.thumbnails[200], image.thumbnails[800]].map((u) => path.basename(u));
      expect(storedFiles()).toEqual(expect.arrayContaining(names));
      const res = await request(ctx.app).delete(`/api/v1/products/${productId}/images/${image.id}`).set(manager);
      expect(res.status).toBe(204);
      expect(storedFiles()).not.toEqual(expect.arrayContaining([names[0]]));
      expect(storedFiles().filter((n) => names.includes(n))).toEqual([]);
      expectErrorContract(await request(ctx.app).get(mediaPath(image.url)), 404, 'MEDIA_NOT_FOUND');
      expect((await request(ctx.app).get(`/api/v1/products/${productId}`)).body.data.images).toEqual([]);
    });

    it('when two products use the same picture and one deletes it, then the other still serves it', async () => {
      const [first, second] = [await newProduct('Twin A'), await newProduct('Twin B')];
      const picture = await solidImage(500, 400, 'png', '#654321');
      const a = await uploaded(first, picture);
      const b = await uploaded(second, picture);
      expect(b.url).toBe(a.url); // content-hashed: one file
      expect((await request(ctx.app).delete(`/api/v1/products/${first}/images/${a.id}`).set(manager)).status).toBe(204);
      expect((await request(ctx.app).get(mediaPath(b.url))).status).toBe(200);
    });
  });

  describe('soft-deleted products', () => {
    it('when a product is soft-deleted, then its images and files stay (staff still see them) and no image can be added or removed', async () => {
      const productId = await newProduct();
      const image = await uploaded(productId, await solidImage(400, 400));
      expect((await request(ctx.app).delete(`/api/v1/products/${productId}`).set(manager)).status).toBe(204);
      const staffView = await request(ctx.app).get(`/api/v1/products/${productId}`).set(admin);
      expect(staffView.body.data.images).toEqual([image]);
      expect((await request(ctx.app).get(mediaPath(image.url))).status).toBe(200);
      expectErrorContract(await upload(ctx, productId, await solidImage(300, 300)), 409, 'PRODUCT_DELETED');
      expectErrorContract(await request(ctx.app).delete(`/api/v1/products/${productId}/images/${image.id}`).set(manager), 409, 'PRODUCT_DELETED');
    });
  });
});
