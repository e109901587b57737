// The typed, frozen config every other layer imports (via src/config); built by parseConfig in schema.ts.

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
    /** How long a process may reuse an account's role/status between writes it is told of (0 = off). */
    readonly principalCacheTtlMs: number;
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
    /** How long a process reuses a catalog page's total between its own product writes (0 = count every page). */
    readonly listTotalsTtlMs: number;
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
  readonly outbox: {
    /** How often an idle relay looks for pending events (a Redis nudge wakes it sooner). */
    readonly pollMs: number;
    /** Events claimed per relay pass. */
    readonly batchSize: number;
    /** How long a relay's claim on an event lasts; a crashed relay's events are retried after it. */
    readonly leaseMs: number;
    /** A published event whose consumer has not confirmed it by then is published again (same job id). */
    readonly redeliverAfterMs: number;
    /** Published events are kept this long (for audit and re-publish), then expire by TTL. */
    readonly retentionSeconds: number;
    /**
     * Test-only failpoint: the API process exits (as if SIGKILLed) right after an event's transaction
     * commits, before anything is published. Refused outside NODE_ENV=test.
     */
    readonly crashAfterCommit: boolean;
  };
  readonly orders: {
    readonly pendingTtlMinutes: number;
    /** How long a checkout order holds its stock while awaiting payment (then the worker cancels it). */
    readonly reservationMinutes: number;
    /** A cart expires after this many days without a change. */
    readonly cartTtlDays: number;
    readonly idempotencyTtlSeconds: number;
  };
  readonly stockAlerts: {
    /** Admins are emailed when a variant's stock falls from at least this to below it; 0 = off. */
    readonly lowStockThreshold: number;
  };
  readonly reports: {
    /** When the worker builds the previous day's sales report (cron pattern, read in `timeZone`). */
    readonly cron: string;
    /** IANA zone that both the schedule and the report's day boundaries are in. */
    readonly timeZone: string;
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
  /** Product images: upload bounds and where the files live (see DEPLOYMENT-NOTES.md, "Media storage"). */
  readonly media: {
    readonly storage: 'local' | 's3';
    /** Local storage: the directory the files are written to (relative paths are from the working directory). */
    readonly localDir: string;
    /** Base URL of the links in product responses; the API's own /media route for local storage. */
    readonly publicBaseUrl: string;
    readonly maxUploadBytes: number;
    /** Width × height above which an upload is refused before it is decoded (decompression bombs). */
    readonly maxPixels: number;
    /** Longest side accepted; the stored original is scaled down to `maxStoredDimension`. */
    readonly maxDimension: number;
    readonly maxStoredDimension: number;
    readonly maxImagesPerProduct: number;
    readonly s3: {
      readonly endpoint: string | undefined;
      readonly region: string;
      readonly bucket: string | undefined;
      readonly accessKeyId: string | undefined;
      readonly secretAccessKey: string | undefined;
      readonly forcePathStyle: boolean;
      readonly keyPrefix: string;
    };
  };
  /** Read by prod/ecosystem.config.js (validated here so a typo fails loudly at start-up). */
  readonly processManager: {
    readonly instances: number | 'max';
    readonly maxMemory: string;
  };
}
