// Every call to the payment provider goes through one guard: a per-call timeout, retries with
// exponential backoff for safe calls only (reads, and writes carrying an idempotency key, which the
// provider de-duplicates), and one opossum circuit breaker. While the breaker is open calls fail at
// once with 503 PAYMENT_PROVIDER_UNAVAILABLE instead of each waiting for a timeout.
import CircuitBreaker from 'opossum';
import { ServiceUnavailableError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { ProviderRejectedError, type PaymentProvider } from './provider';

export interface ProviderGuardOptions {
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseMs: number;
  readonly breaker: { readonly errorThresholdPercentage: number; readonly volumeThreshold: number; readonly resetTimeoutMs: number };
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ProviderGuard {
  /** `retry`: only for calls that are safe to repeat. */
  run<T>(call: () => Promise<T>, options: { retry: boolean; operation: string }): Promise<T>;
  isOpen(): boolean;
  /** Throws the 503 a caller would get, without calling the provider (checkout's first step). */
  assertAvailable(): void;
  /** The provider with every network call guarded (webhook parsing is local and left alone). */
  wrap<P extends PaymentProvider>(provider: P): PaymentProvider;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createProviderGuard(options: ProviderGuardOptions): ProviderGuard {
  const sleep = options.sleep ?? sleepFor;
  const breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
    timeout: options.timeoutMs,
    errorThresholdPercentage: options.breaker.errorThresholdPercentage,
    volumeThreshold: options.breaker.volumeThreshold,
    resetTimeout: options.breaker.resetTimeoutMs,
    // A refusal (declined, bad amount) proves the provider is up: it does not count against it.
    errorFilter: (err: unknown) => err instanceof ProviderRejectedError,
  });
  breaker.on('open', () => logger.warn('payment provider circuit opened', { resetTimeoutMs: options.breaker.resetTimeoutMs }));
  breaker.on('halfOpen', () => logger.info('payment provider circuit half-open: probing'));
  breaker.on('close', () => logger.info('payment provider circuit closed'));

  const retryAfter = String(Math.ceil(options.breaker.resetTimeoutMs / 1000));
  const unavailable = (cause: unknown) =>
    new ServiceUnavailableError('The payment provider is unavailable; try again shortly', 'PAYMENT_PROVIDER_UNAVAILABLE', { cause, headers: { 'Retry-After': retryAfter } });

  async function run<T>(call: () => Promise<T>, { retry, operation }: { retry: boolean; operation: string }): Promise<T> {
    const attempts = retry ? options.maxRetries + 1 : 1;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await breaker.fire(call)) as T;
      } catch (err) {
        if (err instanceof ProviderRejectedError) throw err;
        const open = breaker.opened || (err as { code?: string }).code === 'EOPENBREAKER';
        if (open || attempt >= attempts) {
          logger.warn('payment provider call failed', { operation, attempt, breakerOpen: open, error: (err as Error).message });
          throw unavailable(err);
        }
        // Full jitter: retries from many requests do not arrive in lockstep.
        await sleep(Math.round(Math.random() * options.retryBaseMs * 2 ** (attempt - 1)));
      }
    }
  }

  return {
    run,
    isOpen: () => breaker.opened,
    assertAvailable() {
      if (breaker.opened) throw unavailable(new Error('circuit open'));
    },
    wrap(provider) {
      return {
        name: provider.name,
        createIntent: (input) => run(() => provider.createIntent(input), { retry: true, operation: 'createIntent' }),
        cancel: (id) => run(() => provider.cancel(id), { retry: false, operation: 'cancel' }),
        refund: (id, input) => run(() => provider.refund(id, input), { retry: true, operation: 'refund' }),
        retrieve: (id) => run(() => provider.retrieve(id), { retry: true, operation: 'retrieve' }),
        listRefunds: (id) => run(() => provider.listRefunds(id), { retry: true, operation: 'listRefunds' }),
        parseWebhook: (raw, header) => provider.parseWebhook(raw, header),
      };
    },
  };
}
