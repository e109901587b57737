// Typed errors thrown by services and middlewares; the error middleware renders them into the contract.

export interface ErrorDetail {
  readonly location?: 'body' | 'query' | 'params' | 'headers';
  readonly path: string;
  readonly message: string;
  readonly type?: string;
  readonly [key: string]: unknown;
}

export interface AppErrorOptions {
  readonly details?: readonly unknown[];
  readonly cause?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export class AppError extends Error {
  readonly details?: readonly unknown[];
  readonly headers?: Readonly<Record<string, string>>;
  /** Operational errors are expected outcomes (bad input, conflicts); the rest are bugs. */
  readonly isOperational: boolean = true;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export class ValidationError extends AppError {
  constructor(message = 'Request validation failed', details: readonly ErrorDetail[] = [], code = 'VALIDATION_FAILED') {
    super(400, code, message, { details });
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, code = 'BAD_REQUEST', options?: AppErrorOptions) {
    super(400, code, message, options);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required', code = 'UNAUTHORIZED', options?: AppErrorOptions) {
    super(401, code, message, { headers: { 'WWW-Authenticate': 'Bearer' }, ...options });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to perform this action', code = 'FORBIDDEN') {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Resource not found', code = 'NOT_FOUND', options?: AppErrorOptions) {
    super(404, code, message, options);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT', options?: AppErrorOptions) {
    super(409, code, message, options);
  }
}

export class PreconditionRequiredError extends AppError {
  constructor(message: string, code = 'PRECONDITION_REQUIRED') {
    super(428, code, message);
  }
}

export class UnprocessableError extends AppError {
  constructor(message: string, code = 'UNPROCESSABLE', options?: AppErrorOptions) {
    super(422, code, message, options);
  }
}

export class LockedError extends AppError {
  constructor(message: string, code = 'ACCOUNT_LOCKED', retryAfterSeconds?: number) {
    super(423, code, message, retryAfterSeconds ? { headers: { 'Retry-After': String(retryAfterSeconds) } } : {});
  }
}

export class RateLimitError extends AppError {
  constructor(message = 'Too many requests, please try again later', retryAfterSeconds?: number, code = 'RATE_LIMITED') {
    super(429, code, message, retryAfterSeconds ? { headers: { 'Retry-After': String(retryAfterSeconds) } } : {});
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'Service temporarily unavailable', code = 'SERVICE_UNAVAILABLE', options?: AppErrorOptions) {
    super(503, code, message, options);
  }
}

/** The path exists but not for this method; `Allow` lists the methods it does answer (RFC 9110 §15.5.6). */
export class MethodNotAllowedError extends AppError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed on ${path}`, { headers: { Allow: allowed.join(', ') } });
  }
}

/** The request's deadline passed: its client has been answered 503 and its work is abandoned. */
export class RequestCancelledError extends ServiceUnavailableError {
  constructor(message = 'The request took too long to complete') {
    super(message, 'REQUEST_TIMEOUT');
  }
}
