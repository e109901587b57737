// The environment contract: every variable the service reads, with its type, bounds and default,
// validated by one joi schema. `.env.example` documents each of them; schema.ts maps the result to AppConfig.
import Joi from 'joi';

export const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me-0123456789';
// Signs and verifies the simulated provider's events outside production (never used with Stripe).
export const DEV_WEBHOOK_SECRET = 'whsec_dev_simulated_provider_not_a_secret';
// Values that must never reach production: the shipped defaults and obvious placeholders.
const WEAK_SECRETS = new Set([DEV_JWT_SECRET, 'secret', 'changeme', 'change-me', 'password', 'jwt-secret']);

// Attempts per auth window per client IP. Production: a credential-guessing budget. Elsewhere:
// enough for a developer running the Postman collection over and over (it signs in a dozen times).
export const PRODUCTION_AUTH_RATE_LIMIT_MAX = 20;
export const DEVELOPMENT_AUTH_RATE_LIMIT_MAX = 1000;

const bool = () => Joi.boolean().truthy('1', 'yes', 'on').falsy('0', 'no', 'off');
const port = () => Joi.number().integer().min(0).max(65535);
const positiveInt = () => Joi.number().integer().min(1);
/** An IANA zone name the runtime knows (Intl refuses unknown ones). */
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const envSchema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'production', 'test', 'local').default('local'),
  SERVICE_NAME: Joi.string().default('commerce-api'),
  HOST: Joi.string().default('0.0.0.0'),
  PORT: port().default(3000),
  PUBLIC_URL: Joi.string().uri({ scheme: ['http', 'https'] }),
  TRUST_PROXY: Joi.alternatives(bool(), Joi.number().integer().min(0), Joi.string()).default(false),
  BODY_LIMIT: Joi.string().pattern(/^\d+(b|kb|mb)$/i).default('100kb'),
  REQUEST_TIMEOUT_MS: positiveInt().default(15000),
  SHUTDOWN_TIMEOUT_MS: positiveInt().default(10000),

  LOG_LEVEL: Joi.string().valid('error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly').default('info'),
  LOG_DIR: Joi.string().default('logs'),
  LOG_TO_FILES: bool()
    .default(true)
    .when('LOG_TO_STDOUT', { is: false, then: Joi.valid(true).messages({ 'any.only': '"LOG_TO_FILES" must be true when LOG_TO_STDOUT is false: logs need a sink' }) }),
  LOG_TO_STDOUT: bool().default(true),
  LOG_PRETTY: bool(),
  LOG_MAX_FILE_BYTES: positiveInt().default(10 * 1024 * 1024),
  LOG_MAX_FILES: positiveInt().default(5),

  MONGODB_URI: Joi.string().uri({ scheme: ['mongodb', 'mongodb+srv'] }),
  MONGODB_DB_NAME: Joi.string().pattern(/^[A-Za-z0-9_-]{1,63}$/),
  MONGODB_MAX_POOL_SIZE: positiveInt().max(500).default(20),
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: positiveInt().default(5000),
  MONGODB_SOCKET_TIMEOUT_MS: positiveInt().default(30000),
  MONGODB_AUTO_INDEX: bool().default(true),
  SEED_ON_EMBEDDED_START: bool().default(true),

  REDIS_URL: Joi.string().uri({ scheme: ['redis', 'rediss'] }),
  REDIS_KEY_PREFIX: Joi.string().pattern(/^[A-Za-z0-9:_-]{1,64}$/).default('commerce:'),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt().default(2000),

  CORS_ORIGINS: Joi.string().allow('').default('http://localhost:3000'),

  RATE_LIMIT_WINDOW_MS: positiveInt().default(60_000),
  RATE_LIMIT_MAX: positiveInt().default(300),
  AUTH_RATE_LIMIT_WINDOW_MS: positiveInt().default(15 * 60_000),
  // Default by profile (see parseConfig): strict in production, workable for a person developing.
  AUTH_RATE_LIMIT_MAX: positiveInt(),

  JWT_SECRET: Joi.string().min(32),
  JWT_ISSUER: Joi.string().default('commerce-api'),
  JWT_AUDIENCE: Joi.string().default('commerce-api-clients'),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt().max(3600).default(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt().default(30 * 24 * 3600),
  PASSWORD_RESET_TTL_SECONDS: positiveInt().max(24 * 3600).default(3600),
  MAX_FAILED_LOGINS: positiveInt().max(100).default(5),
  LOCKOUT_SECONDS: positiveInt().default(15 * 60),
  // Per-process principal cache, invalidated through Redis on every account write; 0 = off.
  PRINCIPAL_CACHE_TTL_MS: Joi.number().integer().min(0).max(60_000).default(5000),
  COOKIE_SECURE: bool(),
  // OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane); tests lower it in .env.test.
  PASSWORD_HASH_MEMORY_KIB: Joi.number().integer().min(1024).max(1024 * 1024).default(19_456),
  PASSWORD_HASH_TIME_COST: Joi.number().integer().min(2).max(10).default(2),
  PASSWORD_HASH_PARALLELISM: Joi.number().integer().min(1).max(16).default(1),

  CACHE_ENABLED: bool().default(true),
  CACHE_TTL_SECONDS: positiveInt().default(60),
  // Per-process catalog totals (meta.total of offset pages), cleared by this process's product writes; 0 = off.
  LIST_TOTALS_TTL_MS: Joi.number().integer().min(0).max(60_000).default(5000),

  EMAIL_FROM: Joi.string().default('Commerce API <no-reply@commerce.local>'),
  SMTP_URL: Joi.string().uri({ scheme: ['smtp', 'smtps'] }),
  EMAIL_ATTEMPTS: positiveInt().max(20).default(5),
  EMAIL_BACKOFF_MS: positiveInt().default(2000),
  EMAIL_WORKER_CONCURRENCY: positiveInt().max(100).default(5),
  MAIL_DIR: Joi.string().default('logs/mail'),
  EMAIL_BACKOFF_JITTER: Joi.number().min(0).max(0.5).default(0.5),
  EMAIL_RATE_LIMIT_MAX: Joi.number().integer().min(0).default(0),
  EMAIL_RATE_LIMIT_WINDOW_MS: positiveInt().default(1000),
  EMAIL_JOB_LOCK_MS: Joi.number().integer().min(500).default(30_000),
  WORKER_HEALTH_PORT: port(),
  QUEUE_DASHBOARD_ENABLED: bool(),

  OUTBOX_POLL_MS: Joi.number().integer().min(20).max(60_000).default(1000),
  OUTBOX_BATCH_SIZE: positiveInt().max(1000).default(100),
  OUTBOX_LEASE_MS: Joi.number().integer().min(500).default(30_000),
  OUTBOX_RETENTION_SECONDS: positiveInt().default(7 * 24 * 3600),
  OUTBOX_REDELIVER_AFTER_MS: Joi.number().integer().min(1000).default(5 * 60_000),
  TEST_FAILPOINT_CRASH_AFTER_COMMIT: bool()
    .default(false)
    .when('NODE_ENV', { not: 'test', then: Joi.valid(false).messages({ 'any.only': '"TEST_FAILPOINT_CRASH_AFTER_COMMIT" is a test-only failpoint (NODE_ENV=test)' }) }),

  PENDING_ORDER_TTL_MINUTES: positiveInt().default(60),
  // A checkout order still awaiting (or retrying) payment this long after checkout is cancelled and restocked.
  CHECKOUT_RESERVATION_MINUTES: positiveInt().max(7 * 24 * 60).default(30),
  // A cart nobody touched for this long is gone (TTL index on its expiry).
  CART_TTL_DAYS: positiveInt().max(365).default(30),
  IDEMPOTENCY_TTL_SECONDS: positiveInt().default(24 * 3600),
  LOW_STOCK_THRESHOLD: Joi.number().integer().min(0).max(1_000_000).default(5),

  // Five cron fields (minute hour day month weekday), or six with seconds first; BullMQ's cron parser reads it.
  REPORTS_CRON: Joi.string()
    .trim()
    .pattern(/^\S+(\s+\S+){4,5}$/)
    .messages({ 'string.pattern.base': '"REPORTS_CRON" must be a cron pattern of 5 (or 6) fields, e.g. "15 0 * * *"' })
    .default('15 0 * * *'),
  REPORTS_TZ: Joi.string()
    .trim()
    .custom((value: string, helpers) => (isTimeZone(value) ? value : helpers.error('any.invalid')))
    .messages({ 'any.invalid': '"REPORTS_TZ" must be an IANA time zone, e.g. "Europe/Berlin"' })
    .default('UTC'),
  PAYMENT_PROVIDER: Joi.string().valid('stripe', 'simulated').default('simulated'),
  STRIPE_SECRET_KEY: Joi.string()
    .pattern(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/)
    .messages({ 'string.pattern.base': '"STRIPE_SECRET_KEY" must be a Stripe secret or restricted key (sk_… / rk_…)' }),
  STRIPE_WEBHOOK_SECRET: Joi.string().min(16),
  STRIPE_API_HOST: Joi.string().hostname(),
  STRIPE_API_PORT: port(),
  STRIPE_API_PROTOCOL: Joi.string().valid('http', 'https'),
  PAYMENT_WEBHOOK_TOLERANCE_SECONDS: positiveInt().max(3600).default(300),
  PAYMENT_PROVIDER_TIMEOUT_MS: positiveInt().max(60_000).default(8000),
  PAYMENT_PROVIDER_MAX_RETRIES: Joi.number().integer().min(0).max(5).default(2),
  PAYMENT_PROVIDER_RETRY_BASE_MS: positiveInt().default(200),
  PAYMENT_BREAKER_ERROR_PERCENT: Joi.number().integer().min(1).max(100).default(50),
  PAYMENT_BREAKER_VOLUME_THRESHOLD: positiveInt().default(5),
  PAYMENT_BREAKER_RESET_MS: positiveInt().default(30_000),
  SIMULATED_PAYMENT_WEBHOOK_URL: Joi.string().uri({ scheme: ['http', 'https'] }),

  METRICS_ENABLED: bool().default(true),
  METRICS_TOKEN: Joi.string().min(16),
  METRICS_ALLOW_CIDRS: Joi.string()
    .allow('')
    .pattern(/^\s*([0-9A-Fa-f.:]+(\/\d{1,3})?\s*)(,\s*[0-9A-Fa-f.:]+(\/\d{1,3})?\s*)*$/)
    .default(''),
  DOCS_ENABLED: bool().default(true),

  MEDIA_STORAGE: Joi.string().valid('local', 's3').default('local'),
  MEDIA_DIR: Joi.string().default('media'),
  MEDIA_PUBLIC_BASE_URL: Joi.string().uri({ scheme: ['http', 'https'] }),
  MEDIA_MAX_UPLOAD_BYTES: positiveInt().max(50 * 1024 * 1024).default(10 * 1024 * 1024),
  MEDIA_MAX_PIXELS: positiveInt().max(268_402_689).default(40_000_000),
  MEDIA_MAX_DIMENSION: positiveInt().max(30_000).default(10_000),
  MEDIA_MAX_STORED_DIMENSION: positiveInt().min(800).max(10_000).default(2400),
  MEDIA_MAX_IMAGES_PER_PRODUCT: positiveInt().max(100).default(12),
  S3_ENDPOINT: Joi.string().uri({ scheme: ['http', 'https'] }),
  S3_REGION: Joi.string().default('us-east-1'),
  S3_BUCKET: Joi.string().pattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
  S3_ACCESS_KEY_ID: Joi.string(),
  S3_SECRET_ACCESS_KEY: Joi.string(),
  S3_FORCE_PATH_STYLE: bool().default(false),
  S3_KEY_PREFIX: Joi.string().pattern(/^([A-Za-z0-9_-]+\/)*$/).allow('').default(''),
  CLUSTER_INSTANCES: Joi.alternatives(Joi.number().integer().min(1).max(64), Joi.string().valid('max')).default('max'),
  MAX_MEMORY_RESTART: Joi.string().pattern(/^\d+[KMG]$/).default('512M'),
})
  // Production must be wired to real infrastructure and real secrets; development may fall back.
  .when(Joi.object({ NODE_ENV: Joi.string().valid('production').required() }).unknown(), {
    then: Joi.object({
      MONGODB_URI: Joi.required(),
      REDIS_URL: Joi.required(),
      JWT_SECRET: Joi.string()
        .min(32)
        .required()
        .invalid(...WEAK_SECRETS)
        .messages({ 'any.invalid': '"JWT_SECRET" is a known default or weak value' }),
      PUBLIC_URL: Joi.required(),
      // Test cards and self-signed events must never take real orders.
      // `invalid`, not `valid('stripe')`: a then-schema's allowed values are added to the base ones.
      PAYMENT_PROVIDER: Joi.string()
        .invalid('simulated')
        .required()
        .messages({
          'any.invalid': '"PAYMENT_PROVIDER" must be stripe in production (the simulated provider takes no money)',
          'any.required': '"PAYMENT_PROVIDER" must be stripe in production',
        }),
    }),
  })
  // Object storage needs a bucket and a public address for its links.
  .when(Joi.object({ MEDIA_STORAGE: Joi.string().valid('s3').required() }).unknown(), {
    then: Joi.object({ S3_BUCKET: Joi.required(), MEDIA_PUBLIC_BASE_URL: Joi.required() }),
  })
  .when(Joi.object({ PAYMENT_PROVIDER: Joi.string().valid('stripe').required() }).unknown(), {
    then: Joi.object({ STRIPE_SECRET_KEY: Joi.required(), STRIPE_WEBHOOK_SECRET: Joi.required() }),
  })
  .unknown(true);
