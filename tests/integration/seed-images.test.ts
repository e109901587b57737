// The development seed draws demo images with sharp and stores them through the real pipeline.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { seedDemoImages } from '../../src/loaders/seed-images';
import { Product } from '../support/models';
import mongoose from 'mongoose';
import { createSeedRepositories } from '../../src/loaders/repositories';
import { createTestContext, type TestContext } from '../support/app';
import { useTestDatabase } from '../support/db';
import { insertProducts } from './products.fixture';

useTestDatabase();

describe('seedDemoImages', () => {
  let mediaDir: string;
  let ctx: TestContext;
  beforeAll(async () => {
    mediaDir = mkdtempSync(path.join(tmpdir(), 'media-seed-'));
    ctx = await createTestContext({ env: { MEDIA_DIR: mediaDir } });
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  it('when the catalog is seeded, then the newest active products get two images each, with alt text and served thumbnails', async () => {
    const ids = await insertProducts([
      { name: 'Old Lamp', price: 5 },
      { name: 'Draft Lamp', price: 6, status: 'draft' },
      { name: 'New Lamp', price: 7 },
      { name: 'Newest Lamp', price: 8 },
    ]);
    const stored = await seedDemoImages({ media: ctx.container.media, products: (await createSeedRepositories(mongoose.connection, ctx.config)).products }, 2);
    expect(stored).toBe(4);
    const [old, draft, newer, newest] = await Promise.all(ids.map((id) => request(ctx.app).get(`/api/v1/products/${id}`).set('Accept', 'application/json')));
    expect(old!.body.data.images).toEqual([]);
    expect(draft!.status).toBe(404); // hidden from the public
    expect((await Product.findById(ids[1]).lean())?.images ?? []).toEqual([]);
    for (const res of [newer!, newest!]) {
      expect(res.body.data.images).toHaveLength(2);
      expect(res.body.data.images[0]).toMatchObject({ alt: `${res.body.data.name}, front view`, width: 1200, height: 900, position: 0 });
      const thumb = await request(ctx.app).get(new URL(res.body.data.images[1].thumbnails[200]).pathname);
      expect(thumb.status).toBe(200);
    }
    expect(readdirSync(mediaDir).filter((n) => n.endsWith('.jpg'))).toHaveLength(4);
  });
});
