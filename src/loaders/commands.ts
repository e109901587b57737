// What the one-shot commands build (`npm run seed`, `npm run migrate`, `npm run reviews:repair`):
// the review and image services over the seed repositories, with the same rules as the API's.
import type Redis from 'ioredis';
import { createHmac } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config';
import { createMediaStorage } from '../repositories/media/media-storage';
import { createMediaService, type MediaService } from '../services/media/media.service';
import { createNoopProductCache, createProductCache } from '../services/products/cache';
import { createReviewService, type ReviewService } from '../services/reviews/review.service';
import { createSeedRepositories, type Repositories, type SeedRepositories } from './repositories';

/** The review rules over `repositories`, with product caches dropped through `invalidateProducts`. */
export function buildReviewService(repositories: SeedRepositories, invalidateProducts: (ids: readonly string[]) => Promise<void>, jwtSecret: string): ReviewService {
  return createReviewService({
    reviews: repositories.reviews,
    votes: repositories.reviewVotes,
    ratings: repositories.ratings,
    purchases: repositories.purchases,
    products: repositories.products,
    accounts: repositories.accounts,
    invalidateProducts,
    cursorSecret: createHmac('sha256', jwtSecret).update('review-cursor').digest('base64url'),
  });
}

/** The review service for `npm run seed`: a freshly seeded catalog has nothing cached to drop. */
export function createSeedReviews(repositories: SeedRepositories, config: AppConfig): ReviewService {
  return buildReviewService(repositories, async () => undefined, config.auth.jwtSecret);
}

/**
 * `npm run reviews:repair`: the repair over `mongo`, dropping the product caches of what it fixed
 * (in Redis when the API caches there).
 */
export async function createReviewRepair(deps: { config: AppConfig; redis: Redis | null; mongo: Connection }): Promise<ReviewService['repair']> {
  const { config, redis, mongo } = deps;
  const repositories = await createSeedRepositories(mongo, config);
  const cache = config.cache.enabled && redis ? createProductCache(redis, { keyPrefix: config.redis.keyPrefix, ttlSeconds: config.cache.ttlSeconds }) : createNoopProductCache();
  return buildReviewService(repositories, (ids) => cache.invalidate(ids), config.auth.jwtSecret).repair;
}

/**
 * The image service for `npm run seed`, over the configured storage. A freshly seeded catalog has
 * nothing cached yet, so uploads need no cache invalidation (the API's service invalidates).
 */
export function createSeedMedia(repositories: Pick<Repositories, 'productImages'>, config: AppConfig): MediaService {
  return createMediaService({
    images: repositories.productImages,
    storage: createMediaStorage(config.media),
    limits: config.media,
    invalidateProducts: async () => undefined,
  });
}
