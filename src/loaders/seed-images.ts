// Demo product images, drawn with sharp at seed time (no binary files in git) and uploaded through
// the real image pipeline, so the seeded catalog shows working images, thumbnails and links.
import sharp from 'sharp';
import type { ProductRepository } from '../repositories/product.repository';
import type { MediaService } from '../services/media/media.service';
import { logger } from '../utils/logger';

const PALETTE = ['#3a6ea5', '#c0504d', '#4f8a3c', '#8064a2', '#d08a2e', '#2e8b8b'] as const;
const VIEWS = ['Front view', 'Side view'] as const;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A 1200×900 JPEG card: a coloured background, the product name and the view, drawn from SVG. */
export async function drawDemoImage(title: string, caption: string, color: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="900">
    <rect width="1200" height="900" fill="${color}"/>
    <circle cx="600" cy="380" r="220" fill="#ffffff" fill-opacity="0.18"/>
    <text x="600" y="720" font-family="sans-serif" font-size="64" fill="#ffffff" text-anchor="middle">${escapeXml(title)}</text>
    <text x="600" y="800" font-family="sans-serif" font-size="40" fill="#ffffff" fill-opacity="0.8" text-anchor="middle">${escapeXml(caption)}</text>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

/** Gives the `count` newest active products two images each; returns how many images were stored. */
export async function seedDemoImages(deps: { media: MediaService; products: ProductRepository }, count = 6): Promise<number> {
  const targets = await deps.products.findPage({
    filter: { deletedAt: null, status: 'active' },
    sort: { createdAt: -1, _id: -1 },
    projection: null,
    skip: 0,
    limit: count,
  });
  let stored = 0;
  for (const [index, product] of targets.entries()) {
    for (const view of VIEWS) {
      const color = PALETTE[(index + stored) % PALETTE.length]!;
      await deps.media.upload(product._id.toString(), await drawDemoImage(product.name, view, color), `${product.name}, ${view.toLowerCase()}`);
      stored += 1;
    }
  }
  logger.info('✓ Seeded demo images', { products: targets.length, images: stored });
  return stored;
}
