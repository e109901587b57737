// The environment contract: every variable the service reads, validated by one joi schema
// and mapped into one typed, frozen config object. `.env.example` documents each of them.
import Joi from 'joi';

export type Profile = 'local' | 'development' | 'test' | 'production';

export interface AppConfig {
  readonly env: Profile;
  readonly isProduction: boolean;
  readonly serviceName: string;
  readonly version: string;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl: string;
    readonly trustProxy: boolean | number | string;
    readonly bodyLimit: string;
    readonly requestTimeoutMs: number;
    readonly shutdownTimeoutMs: number;
  };
  readonly log: {
    readonly level: string;
    readonly dir: string;
    readonly toFiles: boolean;
    readonly toStdout: boolean;
    readonly pretty: boolean;
    readonly maxFileBytes: number;
    readonly maxFiles: number;
  };
  readonly mongo: {
    readonly uri: string | undefined;
    readonly dbName: string | undefined;
    readonly maxPoolSize: number;
    readonly serverSelectionTimeoutMs: number;
    readonly socketTimeoutMs: number;
    readonly autoIndex: boolean;
    readonly seedOnEmbeddedStart: boolean;
  };
  readonly redis: {
    readonly url: string | undefined;
    readonly keyPrefix: string;
    readonly commandTimeoutMs: number;
  };
  readonly cors: {
    readonly origins: readonly string[];
  };
  readonly rateLimit: {
    readonly windowMs: number;
    readonly max: number;
    readonly authWindowMs: number;
    readonly authMax: number;
  };
  readonly auth: {
    readonly jwtSecret: string;
    readonly jwtIssuer: string;
    readonly jwtAudience: string;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlSeconds: number;
    readonly passwordResetTtlSeconds: number;
    readonly maxFailedLogins: number;
    readonly lockoutSeconds: number;
    readonly cookieSecure: boolean;
    /** argon2id cost: memory in KiB, iterations, lanes. */
    readonly passwordHash: {
      readonly memoryKib: number;
      readonly timeCost: number;
      readonly parallelism: number;
    };
  };
  readonly cache: {
    readonly enabled: boolean;
    readonly ttlSeconds: number;
  };
  readonly email: {
    readonly from: string;
    readonly smtpUrl: string | undefined;
    readonly attempts: number;
    readonly backoffMs: number;
    readonly workerConcurrency: number;
    readonly mailDir: string;
    /** 0..0.5: share of each backoff delay that is randomised, so failed sends do not retry in lockstep. */
    readonly backoffJitter: number;
    /** Sends per window per worker process; 0 disables the limit. */
    readonly rateLimitMax: number;
    readonly rateLimitWindowMs: number;
    /** How long a worker's claim on a job lasts without renewal; a crashed worker's job is retried after it. */
    readonly jobLockMs: number;
    /** The worker's /health and /metrics port; undefined = no HTTP server in the worker. */
    readonly workerHealthPort: number | undefined;
    /** Bull-board at /admin/queues (default: on outside production). */
    readonly dashboardEnabled: boolean;
  };
  readonly orders: {
    readonly pendingTtlMinutes: number;
    readonly idempotencyTtlSeconds: number;
  };
  readonly payments: {
    /** `simulated` keeps intents in MongoDB and signs its own webhooks; refused in production. */
    readonly provider: 'stripe' | 'simulated';
    /** Secret that verifies `Stripe-Signature` (Stripe's `whsec_…`, or the simulated provider's own). */
    readonly webhookSecret: string;
    /** Signatures older than this are refused (replay window), as Stripe's libraries default to. */
    readonly webhookToleranceSeconds: number;
    /** Per-call deadline for provider requests. */
    readonly timeoutMs: number;
    /** Extra attempts for safe calls (retrieve, or calls carrying an idempotency key). */
    readonly maxRetries: number;
    readonly retryBaseMs: number;
    readonly breaker: { readonly errorThresholdPercentage: number; readonly volumeThreshold: number; readonly resetTimeoutMs: number };
    readonly stripe: {
      readonly secretKey: string | undefined;
      /** API endpoint overrides (tests point the real SDK at a local fake server). */
      readonly host: string | undefined;
      readonly port: number | undefined;
      readonly protocol: 'http' | 'https' | undefined;
    };
    /** Where the simulated provider POSTs its signed events (default: this service's own webhook). */
    readonly simulatedWebhookUrl: string;
  };
  readonly metrics: {
    readonly enabled: boolean;
    readonly token: string | undefined;
    /** Networks (CIDR or single address) that may scrape without the token, besides loopback. */
    readonly allowNetworks: readonly string[];
  };
  readonly docs: {
    readonly enabled: boolean;
  };
  /** Read by prod/ecosystem.config.js (validated here so a typo fails loudly at start-up). */
  readonly processManager: {
    readonly instances: number | 'max';
    readonly maxMemory: string;
  };
}

// Signs and verifies the simulated provider's events outside production (never used with Stripe).
const DEV_WEBHOOK_SECRET = 'whsec_dev_simulated_provider_not_a_secret';
const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me-0123456789';
// Values that must never reach production: the shipped defaults and obvious placeholders.
const WEAK_SECRETS = new Set([DEV_JWT_SECRET, 'secret', 'changeme', 'change-me', 'password', 'jwt-secret']);

const bool = () => Joi.boolean().truthy('1', 'yes', 'on').falsy('0', 'no', 'off');
const port = () => Joi.number().integer().min(0).max(65535);
const positiveInt = () => Joi.number().integer().min(1);

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
  AUTH_RATE_LIMIT_MAX: positiveInt().default(20),

  JWT_SECRET: Joi.string().min(32),
  JWT_ISSUER: Joi.string().default('commerce-api'),
  JWT_AUDIENCE: Joi.string().default('commerce-api-clients'),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt().max(3600).default(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt().default(30 * 24 * 3600),
  PASSWORD_RESET_TTL_SECONDS: positiveInt().max(24 * 3600).default(3600),
  MAX_FAILED_LOGINS: positiveInt().max(100).default(5),
  LOCKOUT_SECONDS: positiveInt().default(15 * 60),
  COOKIE_SECURE: bool(),
  // OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane); tests lower it in .env.test.
  PASSWORD_HASH_MEMORY_KIB: Joi.number().integer().min(1024).max(1024 * 1024).default(19_456),
  PASSWORD_HASH_TIME_COST: Joi.number().integer().min(2).max(10).default(2),
  PASSWORD_HASH_PARALLELISM: Joi.number().integer().min(1).max(16).default(1),

  CACHE_ENABLED: bool().default(true),
  CACHE_TTL_SECONDS: positiveInt().default(60),

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

  PENDING_ORDER_TTL_MINUTES: positiveInt().default(60),
  IDEMPOTENCY_TTL_SECONDS: positiveInt().default(24 * 3600),

  PAYMENT_PROVIDER: Joi.string().valid('stripe', 'simulated').default('simulated'),
  // `.empty('')`: the blank lines of .env.example mean "unset", not an invalid value.
  STRIPE_SECRET_KEY: Joi.string().empty('').pattern(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/).messages({ 'string.pattern.base': '"STRIPE_SECRET_KEY" must be a Stripe secret or restricted key (sk_… / rk_…)' }),
  STRIPE_WEBHOOK_SECRET: Joi.string().empty('').min(16),
  STRIPE_API_HOST: Joi.string().empty('').hostname(),
  STRIPE_API_PORT: port().empty(''),
  STRIPE_API_PROTOCOL: Joi.string().empty('').valid('http', 'https'),
  PAYMENT_WEBHOOK_TOLERANCE_SECONDS: positiveInt().max(3600).default(300),
  PAYMENT_PROVIDER_TIMEOUT_MS: positiveInt().max(60_000).default(8000),
  PAYMENT_PROVIDER_MAX_RETRIES: Joi.number().integer().min(0).max(5).default(2),
  PAYMENT_PROVIDER_RETRY_BASE_MS: positiveInt().default(200),
  PAYMENT_BREAKER_ERROR_PERCENT: Joi.number().integer().min(1).max(100).default(50),
  PAYMENT_BREAKER_VOLUME_THRESHOLD: positiveInt().default(5),
  PAYMENT_BREAKER_RESET_MS: positiveInt().default(30_000),
  SIMULATED_PAYMENT_WEBHOOK_URL: Joi.string().empty('').uri({ scheme: ['http', 'https'] }),

  METRICS_ENABLED: bool().default(true),
  METRICS_TOKEN: Joi.string().min(16),
  METRICS_ALLOW_CIDRS: Joi.string()
    .allow('')
    .pattern(/^\s*([0-9A-Fa-f.:]+(\/\d{1,3})?\s*)(,\s*[0-9A-Fa-f.:]+(\/\d{1,3})?\s*)*$/)
    .default(''),
  DOCS_ENABLED: bool().default(true),
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
        .messages({ 'any.invalid': '"PAYMENT_PROVIDER" must be stripe in production (the simulated provider takes no money)', 'any.required': '"PAYMENT_PROVIDER" must be stripe in production' }),
    }),
  })
  .when(Joi.object({ PAYMENT_PROVIDER: Joi.string().valid('stripe').required() }).unknown(), {
    then: Joi.object({ STRIPE_SECRET_KEY: Joi.required(), STRIPE_WEBHOOK_SECRET: Joi.required() }),
  })
  .unknown(true);

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

/** Validates an environment map and returns the typed config; throws ConfigError naming every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv, version = '0.0.0'): AppConfig {
  const { value: v, error } = envSchema.validate(env, { abortEarly: false, convert: true });
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
    cors: { origins: list(v.CORS_ORIGINS) },
    rateLimit: {
      windowMs: v.RATE_LIMIT_WINDOW_MS,
      max: v.RATE_LIMIT_MAX,
      authWindowMs: v.AUTH_RATE_LIMIT_WINDOW_MS,
      authMax: v.AUTH_RATE_LIMIT_MAX,
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
      cookieSecure: v.COOKIE_SECURE ?? isProduction,
      passwordHash: {
        memoryKib: v.PASSWORD_HASH_MEMORY_KIB,
        timeCost: v.PASSWORD_HASH_TIME_COST,
        parallelism: v.PASSWORD_HASH_PARALLELISM,
      },
    },
    cache: { enabled: v.CACHE_ENABLED, ttlSeconds: v.CACHE_TTL_SECONDS },
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
    orders: {
      pendingTtlMinutes: v.PENDING_ORDER_TTL_MINUTES,
      idempotencyTtlSeconds: v.IDEMPOTENCY_TTL_SECONDS,
    },
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
      simulatedWebhookUrl: v.SIMULATED_PAYMENT_WEBHOOK_URL ?? `${v.PUBLIC_URL ?? `http://localhost:${port}`}/api/v1/webhooks/stripe`,
    },
    metrics: { enabled: v.METRICS_ENABLED, token: v.METRICS_TOKEN, allowNetworks: list(v.METRICS_ALLOW_CIDRS) },
    docs: { enabled: v.DOCS_ENABLED },
    processManager: { instances: v.CLUSTER_INSTANCES, maxMemory: v.MAX_MEMORY_RESTART },
  });
}
