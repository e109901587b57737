// Composition root: builds repositories, services and middlewares from their collaborators.
// Tests call createContainer with their own connection, Redis and fakes; nothing else wires objects.
import type Redis from 'ioredis';
import { createHmac } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import type { AppConfig } from '../config';
import type { EmailQueue } from '../jobs/email.types';
import { createAuthMiddlewares, type AuthMiddlewares, type PrincipalLoader } from '../middlewares/auth.middleware';
import { Product } from '../models/Product';
import { createProductRepository } from '../repositories/product.repository';
import { createHealthService, type HealthService } from '../services/health.service';
import { createNoopProductCache, createProductCache } from '../services/product-cache';
import { createProductService, type ProductService } from '../services/product.service';
import { createTokenService, type TokenService } from '../services/token.service';

export interface ContainerDeps {
  readonly config: AppConfig;
  readonly redis: Redis | null;
  readonly emailQueue: EmailQueue;
  readonly mongo?: Connection;
  readonly isDraining?: () => boolean;
}

export interface Container {
  readonly config: AppConfig;
  readonly redis: Redis | null;
  readonly emailQueue: EmailQueue;
  readonly tokens: TokenService;
  readonly auth: AuthMiddlewares;
  readonly health: HealthService;
  readonly products: ProductService;
}

export function createContainer(deps: ContainerDeps): Container {
  const { config, redis, emailQueue } = deps;
  const mongo = deps.mongo ?? mongoose.connection;
  const tokens = createTokenService(config.auth);
  // Until the accounts module resolves principals from the database, the verified token is the principal.
  const loadPrincipal: PrincipalLoader = async (id, claims) => ({ id, role: claims.role });
  const productCache =
    config.cache.enabled && redis ? createProductCache(redis, { keyPrefix: config.redis.keyPrefix, ttlSeconds: config.cache.ttlSeconds }) : createNoopProductCache();
  const products = createProductService({
    repository: createProductRepository(Product),
    cache: productCache,
    // A key of its own derived from the JWT secret: cursors can be verified, never forged or reused as tokens.
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('product-cursor').digest('base64url'),
  });
  return {
    config,
    redis,
    emailQueue,
    tokens,
    auth: createAuthMiddlewares(tokens, loadPrincipal),
    health: createHealthService({ version: config.version, mongo, redis, isDraining: deps.isDraining }),
    products,
  };
}
