// Shared OpenAPI components: the error contract, the standard error responses every operation
// references, and the security schemes. Kept apart from the generator so both stay readable.

import { AUTH_PATH, REFRESH_COOKIE } from '../controllers/auth.controller';
import type { JsonSchema } from './joi-schema';

export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'The error contract: every failure, whatever produced it, has this shape.',
  required: ['success', 'message', 'code', 'timestamp', 'path', 'requestId'],
  additionalProperties: false,
  properties: {
    success: { type: 'boolean', const: false },
    message: { type: 'string', description: 'Human-readable; never contains internals.' },
    code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]+$', description: 'Stable, machine-readable error code.' },
    timestamp: { type: 'string', format: 'date-time' },
    path: { type: 'string', description: 'Request path without the query string.' },
    requestId: { type: 'string', description: 'Same value as the X-Request-ID response header.' },
    details: { type: 'array', items: { $ref: '#/components/schemas/ErrorDetail' } },
  },
};

export const ERROR_DETAIL_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'One problem: a validation failure (location, path, message, type) or a failing dependency.',
  required: ['path'],
  additionalProperties: true,
  properties: {
    location: { type: 'string', enum: ['params', 'query', 'headers', 'body'] },
    path: { type: 'string' },
    message: { type: 'string' },
    type: { type: 'string' },
  },
};

interface StandardError {
  readonly name: string;
  readonly description: string;
  readonly code: string;
  readonly message: string;
  readonly details?: readonly unknown[];
  readonly headers?: Record<string, unknown>;
}

/** Every response carries the request id (the caller's well-formed one, or a generated UUID). */
export const REQUEST_ID_HEADER = { 'X-Request-ID': { $ref: '#/components/headers/XRequestId' } };

export const SHARED_HEADERS = {
  XRequestId: { description: 'Request id: the well-formed one sent by the caller, else a generated UUID. Quote it when reporting a problem.', schema: { type: 'string' } },
};

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } };

/** Status → the shared response every operation references for it. */
export const STANDARD_ERRORS: Readonly<Record<number, StandardError>> = {
  400: {
    name: 'BadRequest',
    description: 'Invalid input (VALIDATION_FAILED with one detail per problem, INVALID_ID, MALFORMED_JSON); nothing was changed.',
    code: 'VALIDATION_FAILED',
    message: 'Request validation failed',
    details: [{ location: 'query', path: 'limit', message: 'limit must be less than or equal to 100', type: 'number.max' }],
  },
  401: {
    name: 'Unauthorized',
    description: 'Missing, invalid or expired access token (UNAUTHORIZED, TOKEN_INVALID, TOKEN_EXPIRED, ACCOUNT_INACTIVE).',
    code: 'UNAUTHORIZED',
    message: 'Authentication required',
    headers: { 'WWW-Authenticate': { description: 'Always `Bearer`.', schema: { type: 'string' } } },
  },
  403: { name: 'Forbidden', description: 'Authenticated, but the role may not do this.', code: 'FORBIDDEN', message: 'You do not have permission to perform this action' },
  404: { name: 'NotFound', description: 'The resource (or route) does not exist.', code: 'NOT_FOUND', message: 'Resource not found' },
  409: { name: 'Conflict', description: 'Conflicts with the current state (duplicate key, version conflict).', code: 'DUPLICATE_KEY', message: 'A record with this email already exists' },
  412: { name: 'PreconditionFailed', description: 'If-Match did not match the current version.', code: 'PRECONDITION_FAILED', message: 'The resource has changed' },
  413: { name: 'PayloadTooLarge', description: 'The body exceeds BODY_LIMIT.', code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  422: { name: 'Unprocessable', description: 'Well-formed but not acceptable in the current state.', code: 'UNPROCESSABLE', message: 'The request cannot be processed' },
  423: { name: 'Locked', description: 'The account is temporarily locked.', code: 'ACCOUNT_LOCKED', message: 'Account is temporarily locked', headers: RETRY_AFTER },
  428: { name: 'PreconditionRequired', description: 'A precondition header (If-Match) is required.', code: 'PRECONDITION_REQUIRED', message: 'If-Match is required' },
  429: { name: 'TooManyRequests', description: 'Rate limit exceeded.', code: 'RATE_LIMITED', message: 'Too many requests, please slow down', headers: RETRY_AFTER },
  500: { name: 'InternalError', description: 'Unexpected failure; the message never carries internals.', code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' },
  503: {
    name: 'ServiceUnavailable',
    description: 'A dependency is down or the request timed out (DATABASE_UNAVAILABLE, REQUEST_TIMEOUT, DEPENDENCY_UNAVAILABLE).',
    code: 'DATABASE_UNAVAILABLE',
    message: 'The database is temporarily unavailable',
  },
};

export function errorExample(code: string, message: string, details?: readonly unknown[]): Record<string, unknown> {
  return {
    success: false,
    message,
    code,
    timestamp: '2026-01-01T00:00:00.000Z',
    path: '/api/v1/…',
    requestId: '3f1c2b9e-7d4a-4c1e-9a57-0c2f5e8b6d10',
    ...(details ? { details } : {}),
  };
}

export function standardResponses(): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const error of Object.values(STANDARD_ERRORS)) {
    responses[error.name] = {
      description: error.description,
      headers: { ...REQUEST_ID_HEADER, ...(error.headers ?? {}) },
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/ErrorResponse' },
          example: errorExample(error.code, error.message, error.details),
        },
      },
    };
  }
  return responses;
}

export const SECURITY_SCHEMES = {
  bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /api/v1/auth/login.' },
  refreshCookie: {
    type: 'apiKey',
    in: 'cookie',
    // The name the auth controller sets and reads, so the document cannot drift from it.
    name: REFRESH_COOKIE,
    description: `HttpOnly refresh-token cookie (Path=${AUTH_PATH}), set instead of a body token by register, login and refresh with \`?cookie=true\`.`,
  },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, needed from outside the allowed networks.' },
} as const;

/** Tag descriptions and their order in the document (and the Postman folder order). */
export const MODULE_TAGS: readonly { name: string; description: string }[] = [
  { name: 'Auth', description: 'Registration, login, token refresh, logout, password reset.' },
  { name: 'Accounts', description: 'Profiles and account administration.' },
  { name: 'Products', description: 'Catalogue: listing, search, and staff management.' },
  { name: 'Categories', description: 'The category tree with product counts; staff create, move and delete categories.' },
  { name: 'Orders', description: 'Order history, fulfilment, and staff/back-office orders (POST /orders: pending, paid out of band).' },
  { name: 'Cart', description: 'Your cart (priced from the catalog on every read) and checkout: an order awaiting payment with its stock reserved.' },
  { name: 'Payments', description: 'Payment provider webhooks, refunds and the simulated provider (development).' },
  { name: 'Reviews', description: 'Verified-buyer reviews and ratings, helpful votes and moderation.' },
  { name: 'Admin', description: 'Back-office operations (jobs, queues).' },
  { name: 'Jobs', description: 'The email queue: dead letters, retries and the queue dashboard.' },
  { name: 'Ops', description: 'Health, readiness, metrics and API documentation.' },
  { name: 'Wishlist', description: "The signed-in account's wishlist (variant level) and its back-in-stock emails." },
  { name: 'Inventory', description: 'Bulk stock imports from CSV (processed by the worker) and the streamed stock export.' },
  { name: 'Analytics', description: 'Sales series, top products and categories, and low stock, read from the hourly rollups (admin).' },
  { name: 'Reports', description: "Daily sales reports (admin): built by the worker once a day for the previous day in REPORTS_TZ, emailed to admins with their CSVs, listed here and downloaded as CSV (the day's orders, or its product sales)." },
];
