// The request a route handler receives after validate(): `validated` carries the joi output typed as
// the route's schemas declare it (`Joi.object<T>()`), so handlers never cast.
import type { Request } from 'express';

export interface ValidatedInput<P = Record<string, unknown>, Q = Record<string, unknown>, B = unknown, H = Record<string, unknown>> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly headers: H;
}

/** `Typed<{ body: PlaceOrderInput; headers: IdempotencyHeaders }>`: the parts not named keep their loose defaults. */
export type TypedRequest<I extends Partial<ValidatedInput<unknown, unknown, unknown, unknown>> = object> = Omit<Request, 'validated'> & {
  validated: ValidatedInput<
    I extends { params: infer P } ? P : Record<string, unknown>,
    I extends { query: infer Q } ? Q : Record<string, unknown>,
    I extends { body: infer B } ? B : unknown,
    I extends { headers: infer H } ? H : Record<string, unknown>
  >;
};

/** Headers with a contract (schemas in routes/headers.schemas.ts), as validate() keeps them. */
export interface IdempotencyHeaders {
  readonly 'idempotency-key'?: string;
}

export interface IfMatchHeaders {
  readonly 'if-match'?: string;
}

/** The `:id` path parameter, validated. */
export interface IdParams {
  readonly id: string;
}
