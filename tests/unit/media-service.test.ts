// The image service's side-effect order, with fakes passed by argument: when storing fails part way,
// the files that did land are taken back and the product is never touched.
import { Types } from 'mongoose';
import sharp from 'sharp';
import type { MediaStorage } from '../../src/repositories/media/media-storage';
import type { ProductImageRepository } from '../../src/repositories/product-image.repository';
import { createMediaService } from '../../src/services/media/media.service';

describe('media service upload', () => {
  it('when one of the three files fails to store, then the stored ones are removed and nothing is attached', async () => {
    const stored = new Set<string>();
    let puts = 0;
    const storage: MediaStorage = {
      kind: 'local',
      async put(name) {
        puts += 1;
        if (puts === 2) throw new Error('disk full');
        stored.add(name);
      },
      get: async () => null,
      async remove(name) {
        stored.delete(name);
      },
      url: (name) => `http://x/media/${name}`,
    };
    const append = jest.fn();
    const images = {
      findOwner: async () => ({ _id: new Types.ObjectId(), version: 1, deletedAt: null, images: [] }),
      append,
      namesInUse: async () => new Set<string>(),
    } as unknown as ProductImageRepository;
    const media = createMediaService({
      images,
      storage,
      limits: { maxPixels: 1e7, maxDimension: 5000, maxStoredDimension: 2400, maxImagesPerProduct: 5 },
      invalidateProducts: async () => undefined,
    });
    const png = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#888' } }).png().toBuffer();
    await expect(media.upload(new Types.ObjectId().toString(), png)).rejects.toThrow('disk full');
    expect(puts).toBe(3);
    expect([...stored]).toEqual([]);
    expect(append).not.toHaveBeenCalled();
  });
});
