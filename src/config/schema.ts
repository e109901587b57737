// Parses the environment (validated by env-schema.ts) into one typed, frozen AppConfig (types.ts).
import { DEV_JWT_SECRET, DEV_WEBHOOK_SECRET, DEVELOPMENT_AUTH_RATE_LIMIT_MAX, PRODUCTION_AUTH_RATE_LIMIT_MAX, envSchema } from './env-schema';
import type { AppConfig, Profile } from './types';

export { envSchema, DEVELOPMENT_AUTH_RATE_LIMIT_MAX, PRODUCTION_AUTH_RATE_LIMIT_MAX } from './env-schema';
export type { AppConfig, Profile } from './types';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid environment configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function list(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * `KEY=` in an env file (or an exported empty variable) means "not set": the default applies. An
 * operator who copies .env.example and fills only what they need must not trip over the rest.
 */
export function withoutEmptyValues(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') out[key] = value;
  return out;
}

/** Validates an environment map and returns the typed config; throws ConfigError naming every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv, version = '0.0.0'): AppConfig {
  const { value: v, error } = envSchema.validate(withoutEmptyValues(env), { abortEarly: false, convert: true });
  if (error) {
    throw new ConfigError(error.details.map((d) => `${String(d.path.join('.'))}: ${d.message}`));
  }
  const profile = v.NODE_ENV as Profile;
  const isProduction = profile === 'production';
  const port = v.PORT as number;
  return deepFreeze<AppConfig>({
    env: profile,
    isProduction,
    serviceName: v.SERVICE_NAME,
    version,
    http: {
      host: v.HOST,
      port,
      publicUrl: v.PUBLIC_URL ?? `http://localhost:${port}`,
      trustProxy: v.TRUST_PROXY,
      bodyLimit: v.BODY_LIMIT,
      requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    },
    log: {
      level: v.LOG_LEVEL,
      dir: v.LOG_DIR,
      toFiles: v.LOG_TO_FILES,
      toStdout: v.LOG_TO_STDOUT,
      pretty: v.LOG_PRETTY ?? (profile === 'local' || profile === 'development'),
      maxFileBytes: v.LOG_MAX_FILE_BYTES,
      maxFiles: v.LOG_MAX_FILES,
    },
    mongo: {
      uri: v.MONGODB_URI,
      dbName: v.MONGODB_DB_NAME,
      maxPoolSize: v.MONGODB_MAX_POOL_SIZE,
      serverSelectionTimeoutMs: v.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
      socketTimeoutMs: v.MONGODB_SOCKET_TIMEOUT_MS,
      autoIndex: v.MONGODB_AUTO_INDEX,
      seedOnEmbeddedStart: v.SEED_ON_EMBEDDED_START,
    },
    redis: {
      url: v.REDIS_URL,
      keyPrefix: v.REDIS_KEY_PREFIX,
      commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    },
    // 'none' refuses every cross-origin caller (an empty value means unset, i.e. the default).
    cors: { origins: v.CORS_ORIGINS === 'none' ? [] : list(v.CORS_ORIGINS) },
    rateLimit: {
      windowMs: v.RATE_LIMIT_WINDOW_MS,
      max: v.RATE_LIMIT_MAX,
      authWindowMs: v.AUTH_RATE_LIMIT_WINDOW_MS,
      authMax: v.AUTH_RATE_LIMIT_MAX ?? (isProduction ? PRODUCTION_AUTH_RATE_LIMIT_MAX : DEVELOPMENT_AUTH_RATE_LIMIT_MAX),
    },
    auth: {
      jwtSecret: v.JWT_SECRET ?? DEV_JWT_SECRET,
      jwtIssuer: v.JWT_ISSUER,
      jwtAudience: v.JWT_AUDIENCE,
      accessTokenTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: v.REFRESH_TOKEN_TTL_SECONDS,
      passwordResetTtlSeconds: v.PASSWORD_RESET_TTL_SECONDS,
      maxFailedLogins: v.MAX_FAILED_LOGINS,
      lockoutSeconds: v.LOCKOUT_SECONDS,
      principalCacheTtlMs: v.PRINCIPAL_CACHE_TTL_MS,
      cookieSecure: v.COOKIE_SECURE ?? isProduction,
      passwordHash: {
        memoryKib: v.PASSWORD_HASH_MEMORY_KIB,
        timeCost: v.PASSWORD_HASH_TIME_COST,
        parallelism: v.PASSWORD_HASH_PARALLELISM,
      },
    },
    cache: { enabled: v.CACHE_ENABLED, ttlSeconds: v.CACHE_TTL_SECONDS, listTotalsTtlMs: v.LIST_TOTALS_TTL_MS },
    email: {
      from: v.EMAIL_FROM,
      smtpUrl: v.SMTP_URL,
      attempts: v.EMAIL_ATTEMPTS,
      backoffMs: v.EMAIL_BACKOFF_MS,
      workerConcurrency: v.EMAIL_WORKER_CONCURRENCY,
      mailDir: v.MAIL_DIR,
      backoffJitter: v.EMAIL_BACKOFF_JITTER,
      rateLimitMax: v.EMAIL_RATE_LIMIT_MAX,
      rateLimitWindowMs: v.EMAIL_RATE_LIMIT_WINDOW_MS,
      jobLockMs: v.EMAIL_JOB_LOCK_MS,
      workerHealthPort: v.WORKER_HEALTH_PORT,
      dashboardEnabled: v.QUEUE_DASHBOARD_ENABLED ?? !isProduction,
    },
    outbox: {
      pollMs: v.OUTBOX_POLL_MS,
      batchSize: v.OUTBOX_BATCH_SIZE,
      leaseMs: v.OUTBOX_LEASE_MS,
      retentionSeconds: v.OUTBOX_RETENTION_SECONDS,
      redeliverAfterMs: v.OUTBOX_REDELIVER_AFTER_MS,
      crashAfterCommit: v.TEST_FAILPOINT_CRASH_AFTER_COMMIT,
    },
    orders: {
      pendingTtlMinutes: v.PENDING_ORDER_TTL_MINUTES,
      reservationMinutes: v.CHECKOUT_RESERVATION_MINUTES,
      cartTtlDays: v.CART_TTL_DAYS,
      idempotencyTtlSeconds: v.IDEMPOTENCY_TTL_SECONDS,
    },
    stockAlerts: { lowStockThreshold: v.LOW_STOCK_THRESHOLD },
    reports: { cron: v.REPORTS_CRON, timeZone: v.REPORTS_TZ },
    payments: {
      provider: v.PAYMENT_PROVIDER,
      webhookSecret: v.STRIPE_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET,
      webhookToleranceSeconds: v.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
      timeoutMs: v.PAYMENT_PROVIDER_TIMEOUT_MS,
      maxRetries: v.PAYMENT_PROVIDER_MAX_RETRIES,
      retryBaseMs: v.PAYMENT_PROVIDER_RETRY_BASE_MS,
      breaker: {
        errorThresholdPercentage: v.PAYMENT_BREAKER_ERROR_PERCENT,
        volumeThreshold: v.PAYMENT_BREAKER_VOLUME_THRESHOLD,
        resetTimeoutMs: v.PAYMENT_BREAKER_RESET_MS,
      },
      stripe: { secretKey: v.STRIPE_SECRET_KEY, host: v.STRIPE_API_HOST, port: v.STRIPE_API_PORT, protocol: v.STRIPE_API_PROTOCOL },
      // By default the simulated provider delivers to this service's own webhook.
      simulatedWebhookUrl: v.SIMULATED_PAYMENT_WEBHOOK_URL ?? `${v.PUBLIC_URL ?? `http://localhost:${port}`}/api/v1/webhooks/stripe`,
    },
    metrics: { enabled: v.METRICS_ENABLED, token: v.METRICS_TOKEN, allowNetworks: list(v.METRICS_ALLOW_CIDRS) },
    docs: { enabled: v.DOCS_ENABLED },
    media: {
      storage: v.MEDIA_STORAGE,
      localDir: v.MEDIA_DIR,
      publicBaseUrl: (v.MEDIA_PUBLIC_BASE_URL ?? `${String(v.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '')}/media`).replace(/\/+$/, ''),
      maxUploadBytes: v.MEDIA_MAX_UPLOAD_BYTES,
      maxPixels: v.MEDIA_MAX_PIXELS,
      maxDimension: v.MEDIA_MAX_DIMENSION,
      maxStoredDimension: v.MEDIA_MAX_STORED_DIMENSION,
      maxImagesPerProduct: v.MEDIA_MAX_IMAGES_PER_PRODUCT,
      s3: {
        endpoint: v.S3_ENDPOINT,
        region: v.S3_REGION,
        bucket: v.S3_BUCKET,
        accessKeyId: v.S3_ACCESS_KEY_ID,
        secretAccessKey: v.S3_SECRET_ACCESS_KEY,
        forcePathStyle: v.S3_FORCE_PATH_STYLE,
        keyPrefix: v.S3_KEY_PREFIX,
      },
    },
    processManager: { instances: v.CLUSTER_INSTANCES, maxMemory: v.MAX_MEMORY_RESTART },
  });
}
