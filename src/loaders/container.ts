// Composition root: builds repositories, services and middlewares from their collaborators.
// Tests call createContainer with their own connection, Redis and fakes; nothing else wires objects.
import type Redis from 'ioredis';
import { createHmac } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import type { AppConfig } from '../config';
import type { EmailQueue } from '../jobs/email.types';
import { createAuthMiddlewares, type AuthMiddlewares, type PrincipalLoader } from '../middlewares/auth.middleware';
import { IdempotencyKey } from '../models/IdempotencyKey';
import { Order } from '../models/Order';
import { Product } from '../models/Product';
import { createAccountEmailLookup } from '../repositories/account-contact.repository';
import { createIdempotencyRepository } from '../repositories/idempotency.repository';
import { createOrderRepository } from '../repositories/order.repository';
import { createProductRepository } from '../repositories/product.repository';
import { createHealthService, type HealthService } from '../services/health.service';
import { createOrderNotifier } from '../services/order-notifier';
import { createOrderPlacement } from '../services/order-placement';
import { createOrderService, type OrderService } from '../services/order.service';
import { createNoopProductCache, createProductCache } from '../services/product-cache';
import { createProductService, type ProductService } from '../services/product.service';
import { createTokenService, type TokenService } from '../services/token.service';
import { createTransactionRunner, type TransactionRunner } from '../services/transactions';

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
  readonly orders: OrderService;
  readonly transactions: TransactionRunner;
}

export function createContainer(deps: ContainerDeps): Container {
  const { config, redis, emailQueue } = deps;
  const mongo = deps.mongo ?? mongoose.connection;
  const tokens = createTokenService(config.auth);
  // Until the accounts module resolves principals from the database, the verified token is the principal.
  const loadPrincipal: PrincipalLoader = async (id, claims) => ({ id, role: claims.role });
  const productCache =
    config.cache.enabled && redis ? createProductCache(redis, { keyPrefix: config.redis.keyPrefix, ttlSeconds: config.cache.ttlSeconds }) : createNoopProductCache();
  const productRepository = createProductRepository(Product);
  const products = createProductService({
    repository: productRepository,
    cache: productCache,
    // A key of its own derived from the JWT secret: cursors can be verified, never forged or reused as tokens.
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('product-cursor').digest('base64url'),
  });
  const transactions = createTransactionRunner(mongo);
  const orderRepository = createOrderRepository(Order);
  const orders = createOrderService({
    orders: orderRepository,
    products: productRepository,
    placement: createOrderPlacement({ orders: orderRepository, products: productRepository, transactions }),
    idempotency: createIdempotencyRepository(IdempotencyKey),
    transactions,
    // When the accounts module is wired: (id) => accounts.findById(id).then((a) => a?.email ?? null).
    notifier: createOrderNotifier(emailQueue, createAccountEmailLookup(mongo)),
    invalidateProducts: (ids) => products.invalidate(ids),
    idempotencyTtlSeconds: config.orders.idempotencyTtlSeconds,
    cursorSecret: createHmac('sha256', config.auth.jwtSecret).update('order-cursor').digest('base64url'),
  });
  return {
    config,
    redis,
    emailQueue,
    tokens,
    auth: createAuthMiddlewares(tokens, loadPrincipal),
    health: createHealthService({ version: config.version, mongo, redis, isDraining: deps.isDraining }),
    products,
    orders,
    transactions,
  };
}
