// Attack suite, part 4: upload abuse (disguised files, bombs, oversize, form abuse), path traversal
// through /media names, and access control on product images (roles, cross-product image ids).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { Product } from '../support/models';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, registerAndLogin, type RegisteredUser, type TestCaller } from '../support/auth';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { NOT_AN_IMAGE, pngDeclaring, solidImage } from '../support/images';
import { insertProducts } from '../integration/products.fixture';
import { attack } from './harness';

describe('attack suite: uploads and media', () => {
  useTestDatabase();
  let mediaDir: string;
  let ctx: TestContext;
  let manager: TestCaller;
  let customer: RegisteredUser;
  let productId: string;
  let otherProductId: string;
  const routes = () => ctx.routes;
  const api = () => request(ctx.app);
  const storedFiles = () => readdirSync(mediaDir).filter((name) => !name.startsWith('.'));
  const imagesOf = async (id: string) => (await Product.findById(id).lean())?.images ?? [];
  const upload = (id: string, headers: Record<string, string> = manager.headers) => api().post(`/api/v1/products/${id}/images`).set(headers);

  beforeAll(async () => {
    mediaDir = mkdtempSync(path.join(tmpdir(), 'media-sec-'));
    // A small byte limit so the oversize vector needs no large buffer.
    ctx = await createTestContext({ env: { MEDIA_DIR: mediaDir, MEDIA_MAX_UPLOAD_BYTES: '200000' } });
    manager = await callerWithRole(ctx, 'manager');
    customer = await registerAndLogin(ctx);
    [productId, otherProductId] = await insertProducts([{ name: 'Target Lamp', price: 10 }, { name: 'Other Lamp', price: 12 }]);
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  describe('upload abuse', () => {
    attack(
      { id: 'UPLOAD-01', vector: 'A text file disguised as a JPEG', route: 'POST /api/v1/products/:id/images', payload: 'multipart file "photo.jpg", Content-Type image/jpeg, content: plain text (as manager)', expected: '415 UNSUPPORTED_MEDIA_TYPE (type detected from content), nothing stored' },
      routes,
      async (see) => {
        const res = see(await upload(productId).attach('file', NOT_AN_IMAGE.text, { filename: 'photo.jpg', contentType: 'image/jpeg' }));
        expectErrorContract(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
        expect(storedFiles()).toEqual([]);
        expect(await imagesOf(productId)).toEqual([]);
      },
    );

    attack(
      { id: 'UPLOAD-02', vector: 'A Windows executable disguised as a JPEG', route: 'POST /api/v1/products/:id/images', payload: 'multipart file "invoice.jpg" (image/jpeg) starting with an MZ/PE header (as manager)', expected: '415 UNSUPPORTED_MEDIA_TYPE, nothing stored' },
      routes,
      async (see) => {
        const res = see(await upload(productId).attach('file', NOT_AN_IMAGE.exe, { filename: 'invoice.jpg', contentType: 'image/jpeg' }));
        expectErrorContract(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
        expect(storedFiles()).toEqual([]);
      },
    );

    attack(
      { id: 'UPLOAD-03', vector: 'A scriptable SVG disguised as a PNG (stored XSS via media)', route: 'POST /api/v1/products/:id/images', payload: 'multipart file "logo.png" (image/png): <svg onload="alert(1)"> (as manager)', expected: '415 UNSUPPORTED_MEDIA_TYPE: SVG is never accepted, nothing stored' },
      routes,
      async (see) => {
        const res = see(await upload(productId).attach('file', NOT_AN_IMAGE.svg, { filename: 'logo.png', contentType: 'image/png' }));
        expectErrorContract(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
        expect(storedFiles()).toEqual([]);
      },
    );

    attack(
      { id: 'UPLOAD-04', vector: 'Decompression bomb (pixel flood)', route: 'POST /api/v1/products/:id/images', payload: 'a ~100-byte PNG whose header declares 50000×50000 pixels (as manager)', expected: '422 IMAGE_DIMENSIONS_EXCEEDED from the header, before decoding; nothing stored' },
      routes,
      async (see) => {
        const res = see(await upload(productId).attach('file', pngDeclaring(50_000, 50_000), { filename: 'bomb.png', contentType: 'image/png' }));
        expectErrorContract(res, 422, 'IMAGE_DIMENSIONS_EXCEEDED');
        expect(storedFiles()).toEqual([]);
      },
    );

    attack(
      { id: 'UPLOAD-05', vector: 'Oversized upload', route: 'POST /api/v1/products/:id/images', payload: 'a 300 kB file with MEDIA_MAX_UPLOAD_BYTES=200000 (as manager)', expected: '413 PAYLOAD_TOO_LARGE, nothing stored' },
      routes,
      async (see) => {
        const big = Buffer.concat([await solidImage(50, 50, 'png'), Buffer.alloc(300_000)]);
        const res = see(await upload(productId).attach('file', big, { filename: 'big.png', contentType: 'image/png' }));
        expectErrorContract(res, 413, 'PAYLOAD_TOO_LARGE');
        expect(storedFiles()).toEqual([]);
      },
    );

    attack(
      { id: 'UPLOAD-06', vector: 'Form abuse: several files and extra fields', route: 'POST /api/v1/products/:id/images', payload: 'two parts named "file", then 50 text fields (as manager)', expected: '400 for each, nothing stored' },
      routes,
      async (see) => {
        const png = await solidImage(40, 40, 'png');
        const twoFiles = await upload(productId).attach('file', png, 'a.png').attach('file', png, 'b.png');
        expectErrorContract(twoFiles, 400, 'VALIDATION_FAILED');
        let many = upload(productId);
        for (let i = 0; i < 50; i += 1) many = many.field(`f${i}`, 'x');
        const res = see(await many.attach('file', png, 'a.png'));
        expectErrorContract(res, 400, 'MULTIPART_LIMIT_EXCEEDED');
        expect(storedFiles()).toEqual([]);
      },
    );

    attack(
      { id: 'UPLOAD-07', vector: 'Path traversal through the uploaded file name', route: 'POST /api/v1/products/:id/images', payload: 'a real PNG named "../../../../tmp/pwned.png" (as manager)', expected: '201; stored under its content hash only, the client name is never used' },
      routes,
      async (see) => {
        const res = see(await upload(productId).attach('file', await solidImage(64, 64, 'png'), { filename: '../../../../tmp/pwned.png', contentType: 'image/png' }));
        expect(res.status).toBe(201);
        expect(res.body.data.url).toMatch(/\/media\/[a-f0-9]{64}\.png$/);
        expect(storedFiles().every((name) => /^[a-f0-9]{64}\.(png|webp)$/.test(name))).toBe(true);
      },
    );
  });

  describe('path traversal in media URLs', () => {
    const cases: [string, string][] = [
      ['PATH-01', '/media/..%2f..%2fetc%2fpasswd'],
      ['PATH-02', '/media/..%2f..%2fetc/passwd'],
      ['PATH-03', '/media/%2e%2e%2f%2e%2e%2fpackage.json'],
      ['PATH-04', `/media/${'a'.repeat(64)}.png%00.txt`],
    ];
    for (const [id, url] of cases) {
      attack(
        { id, vector: 'Path traversal through a /media file name', route: 'GET /media/:mediaName', payload: `GET ${url}`, expected: '400 or 404 in the error contract; no file outside the media store is read' },
        routes,
        async (see) => {
          const res = see(await api().get(url));
          expect([400, 404]).toContain(res.status);
          expect(res.body.success).toBe(false);
          expect(res.text).not.toMatch(/root:|"name": "commerce-api"/);
        },
      );
    }
  });

  describe('access control on images', () => {
    attack(
      { id: 'IDOR-07', vector: 'A customer uploads or deletes product images', route: 'POST /api/v1/products/:id/images', payload: 'a valid PNG upload, then DELETE of an existing image (as customer)', expected: '403 FORBIDDEN for both; the image and its files stay' },
      routes,
      async (see) => {
        const image = await upload(productId).attach('file', await solidImage(80, 80, 'png', '#ff0000'), 'red.png');
        expect(image.status).toBe(201);
        const files = storedFiles().length;
        expectErrorContract(await upload(productId, customer.headers).attach('file', await solidImage(80, 80, 'png', '#00ff00'), 'g.png'), 403);
        const res = see(await api().delete(`/api/v1/products/${productId}/images/${image.body.data.id}`).set(customer.headers));
        expectErrorContract(res, 403);
        expect(storedFiles()).toHaveLength(files);
        expect((await imagesOf(productId)).map((i) => i._id.toString())).toContain(image.body.data.id);
      },
    );

    attack(
      { id: 'IDOR-08', vector: "Another product's image id under this product's path", route: 'DELETE /api/v1/products/:id/images/:imageId', payload: 'DELETE /products/<other product>/images/<image of the target product> (as manager)', expected: '404 IMAGE_NOT_FOUND; the image stays with its own product' },
      routes,
      async (see) => {
        const image = await upload(productId).attach('file', await solidImage(90, 90, 'png', '#0000ff'), 'blue.png');
        expect(image.status).toBe(201);
        const res = see(await api().delete(`/api/v1/products/${otherProductId}/images/${image.body.data.id}`).set(manager.headers));
        expectErrorContract(res, 404, 'IMAGE_NOT_FOUND');
        const patched = await api().patch(`/api/v1/products/${otherProductId}/images/${image.body.data.id}`).set(manager.headers).send({ alt: 'stolen' });
        expectErrorContract(patched, 404, 'IMAGE_NOT_FOUND');
        expect((await imagesOf(productId)).find((i) => i._id.toString() === image.body.data.id)?.alt).toBe('');
      },
    );
  });
});
