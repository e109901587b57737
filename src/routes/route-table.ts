// One declaration per endpoint. The same entry drives the Express router, request validation,
// authentication, the OpenAPI document and the "Routes mounted" count.
import express, { Router, type RequestHandler, type Response } from 'express';
import type Joi from 'joi';
import { authorize, type AuthMiddlewares } from '../middlewares/auth.middleware';
import { chain } from '../middlewares/chain';
import { singleFileUpload, type UploadSpec } from '../middlewares/upload';
import { idempotent, type IdempotencyMode } from '../middlewares/idempotency';
import { validate } from '../middlewares/validate';
import type { IdempotencyService } from '../services/idempotency.service';
import type { Role } from '../utils/roles';
import type { TypedRequest } from '../utils/typed-request';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** public: anyone; optional: anyone, but a token is honoured; authenticated: any role; Role[]: these roles. */
export type RouteAccess = 'public' | 'optional' | 'authenticated' | readonly Role[];

export interface RouteResponse {
  readonly description: string;
  /** Schema of `data` inside the success envelope (or of the whole body for non-JSON/204). */
  readonly schema?: Joi.Schema;
  readonly example?: unknown;
  /** Non-JSON bodies (e.g. `text/plain` for /metrics); the schema then describes the whole body. */
  readonly contentType?: string;
  /** True when the JSON body is not wrapped in the success envelope (e.g. the OpenAPI document itself). */
  readonly raw?: boolean;
  /** For a declared error response: the error code it carries (documentation example only). */
  readonly code?: string;
}

/** Security schemes an endpoint can name explicitly; otherwise `access` decides (bearer or none). */
export type SecurityScheme = 'bearerAuth' | 'refreshCookie' | 'metricsToken';

/**
 * Hints for the generated Postman collection and the Newman end-to-end run, which threads real
 * data from one request to the next through environment variables. Values may use `{{variable}}`
 * and Postman's dynamic variables (`{{$guid}}`, `{{$timestamp}}`).
 */
export interface RoutePostmanHints {
  /**
   * Values to store into the environment after a successful call: variable → dotted path in the
   * JSON body (`data.tokens.accessToken`, `data.0.id`), `header:<Name>` for a response header, or
   * `last-segment:<path>` for the last path segment of a URL in the body (a file name).
   */
  readonly captures?: Readonly<Record<string, string>>;
  /** Status the end-to-end run expects (default: the first declared 2xx, else 200). */
  readonly expectStatus?: number;
  /** With an error `expectStatus`: the error code the run asserts (a deliberate negative check). */
  readonly expectCode?: string;
  /**
   * A request that needs a value no earlier request can capture (a token from an email): it is
   * skipped, with a note in the run's output, until a person sets `variable` in the environment.
   * Keep rare. Every other empty variable a request uses fails it loudly.
   */
  readonly skipUnlessSet?: { readonly variable: string; readonly why: string };
  /**
   * A documented error the run also accepts, for a feature the target deployment may have off
   * (e.g. the queue dashboard without Redis): the test then asserts that error's contract and code.
   */
  readonly orError?: { readonly status: number; readonly code: string; readonly when: string };
  /**
   * Values the run asserts in a successful body at dotted paths, e.g. `{ 'data.order.status': 'paid' }`
   * (`'{{variable}}'` compares with a captured value): what a story step must have achieved.
   */
  readonly expectBody?: Readonly<Record<string, string | number | boolean>>;
  /** Request headers the generated request sends, e.g. `{ 'If-Match': '{{productEtag}}' }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Query parameters the generated request sends (the others are listed, disabled). */
  readonly query?: Readonly<Record<string, string>>;
  /** Replaces values of `requestExample` at dotted paths in the Postman body, e.g. `{ 'items.0.productId': '{{productId}}' }`. */
  readonly body?: Readonly<Record<string, string>>;
}

/** A handler over validated input; the joi schemas of its declaration fix the input's types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see RouteDefinition
export type RouteHandler<P = any, Q = any, B = any, H = any> = (
  req: TypedRequest<{ params: Loose<P>; query: Loose<Q>; body: B; headers: Loose<H> }>,
  res: Response,
) => unknown;

/** A part without a schema is inferred as `unknown`; handlers then see the untyped default. */
type Loose<T> = 0 extends 1 & T ? T : unknown extends T ? Record<string, unknown> : T;

/**
 * One endpoint. The type parameters are inferred from the joi schemas (`Joi.object<T>()`) when the
 * declaration goes through `route()`, so a handler expecting another shape does not compile.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table of routes holds many input shapes
export interface RouteDefinition<P = any, Q = any, B = any, H = any> {
  readonly method: HttpMethod;
  /** Express path below the mount point, e.g. `/products/:id`. */
  readonly path: string;
  /** `api` mounts under /api/v1; `root` at the top level (health, metrics). */
  readonly mount?: 'api' | 'root';
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly access: RouteAccess;
  readonly validate?: {
    readonly params?: Joi.ObjectSchema<P>;
    readonly query?: Joi.ObjectSchema<Q>;
    readonly body?: Joi.Schema<B>;
    readonly headers?: Joi.ObjectSchema<H>;
  };
  readonly responses?: Readonly<Record<number, RouteResponse>>;
  /**
   * A multipart/form-data body with one file, parsed after authentication and before validation;
   * `validate.body` then describes the text fields. OpenAPI and Postman declare a form with a file.
   */
  readonly upload?: UploadSpec;
  /**
   * The body arrives as the exact bytes sent (a Buffer), for signature checks over the raw body
   * (webhooks). The global JSON parser skips these paths; the structural input guard and body
   * schema do not apply (the signature is the validation). `contentType` is for the docs.
   */
  readonly rawBody?: { readonly limit: string; readonly contentType: string; readonly description: string };
  /**
   * Retry safety through `Idempotency-Key` (the route must declare that header): `required` refuses
   * a request without it (428), `optional` honours it when sent. Same key + same request replays the
   * stored status and body; another request → 422; while the first still runs → 409 + Retry-After.
   */
  readonly idempotency?: IdempotencyMode;
  /** Extra middleware that runs before validation (e.g. a stricter rate limit). */
  readonly before?: readonly RequestHandler[];
  readonly handler: RouteHandler<P, Q, B, H>;
  // --- documentation only (optional; the router ignores them) ---
  /** Example request body for the OpenAPI document and the Postman collection. */
  readonly requestExample?: unknown;
  /** Error statuses beyond those implied by access, params and body (e.g. 409, 412, 422). */
  readonly errors?: readonly number[];
  readonly deprecated?: boolean;
  /** Overrides the security derived from `access` (e.g. the refresh endpoint reads a cookie). */
  readonly security?: readonly SecurityScheme[];
  readonly postman?: RoutePostmanHints;
}

/** Declares one route with its handler's input types checked against its schemas. */
export function route<P, Q, B, H>(definition: RouteDefinition<P, Q, B, H>): RouteDefinition {
  return definition;
}

export const API_PREFIX = '/api/v1';

export function fullPath(route: RouteDefinition): string {
  return route.mount === 'root' ? route.path : `${API_PREFIX}${route.path}`;
}

/** How the router compares paths (case-insensitive, trailing slash ignored), for exact-path lookups. */
function normalizePath(path: string): string {
  return path.toLowerCase().replace(/\/+$/, '') || '/';
}

/** Paths whose body the global parsers must leave unread (routes declaring `rawBody`; no :params). */
export function rawBodyPaths(routes: readonly RouteDefinition[]): ReadonlySet<string> {
  return new Set(routes.filter((r) => r.rawBody).map((r) => normalizePath(fullPath(r))));
}

function accessChain(access: RouteAccess, auth: AuthMiddlewares): RequestHandler[] {
  if (access === 'public') return [];
  if (access === 'optional') return [auth.authenticateOptional];
  if (access === 'authenticated') return [auth.authenticate];
  return [auth.authenticate, authorize(...access)];
}

function idempotencyStep(route: RouteDefinition, template: string, service: IdempotencyService | undefined): RequestHandler[] {
  if (!route.idempotency) return [];
  const declared = route.validate?.headers?.describe().keys ?? {};
  if (!service || !('idempotency-key' in declared)) {
    throw new Error(`${route.method.toUpperCase()} ${template} declares idempotency but not the Idempotency-Key header or a store`);
  }
  return [idempotent(route.idempotency, `${route.method.toUpperCase()} ${template}`, service)];
}

/**
 * Builds one router per mount point from the declarations, in declaration order. `root` may be the
 * app's own router: the few top-level routes then sit on it directly, so an API request does not
 * walk a mounted sub-router to its end (which defers to the next layer through setImmediate).
 */
export function buildRouters(
  routes: readonly RouteDefinition[],
  auth: AuthMiddlewares,
  services: { readonly idempotency?: IdempotencyService } = {},
  root: Router = Router(),
): { api: Router; root: Router } {
  const api = Router();
  for (const route of routes) {
    const router = route.mount === 'root' ? root : api;
    const template = fullPath(route);
    const steps: RequestHandler[] = [
      // The matched template labels metrics and logs with bounded cardinality (never the raw path).
      (_req, res, next) => {
        res.locals.routeTemplate = template;
        next();
      },
      ...(route.rawBody ? [express.raw({ type: () => true, limit: route.rawBody.limit })] : []),
      ...(route.before ?? []),
      ...accessChain(route.access, auth),
      ...(route.upload ? [singleFileUpload(route.upload)] : []),
      validate(route.validate),
      ...idempotencyStep(route, template, services.idempotency),
      // validate() above guarantees the shape the handler's types describe.
      route.handler as unknown as RequestHandler,
    ];
    router[route.method](route.path, chain(...steps));
  }
  return { api, root };
}

interface Layer {
  route?: { methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Counts method+path endpoints actually registered on a router (recursing into sub-routers). */
export function countEndpoints(router: unknown): number {
  let count = 0;
  for (const layer of (router as { stack?: Layer[] }).stack ?? []) {
    if (layer.route) count += Object.keys(layer.route.methods).filter((m) => m !== '_all').length;
    else if (layer.handle?.stack) count += countEndpoints(layer.handle);
  }
  return count;
}
