// HTTP for orders: read validated input, call one service method, send the envelope with the ETag.
import type { Request, Response } from 'express';
import type { OrderStatus } from '../models/Order';
import type { OrderService } from '../services/orders/order.service';
import type { PlaceOrderInput } from '../services/orders/placement';
import type { OrderActor, OrderListQuery } from '../services/orders/query';
import { ValidationError } from '../utils/errors';
import { expectedVersion, versionEtag } from '../utils/http-cache';
import { sendSuccess } from '../utils/response';
import { isStaff } from '../utils/roles';
import type { IdempotencyHeaders, IdParams, IfMatchHeaders, TypedRequest } from '../utils/typed-request';
import { MAX_STATS_DAYS } from '../models/Order';

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_STATS_DAYS = 30;

/** Strong validator for one order: its id and version change together with every status change. */
export const orderEtag = versionEtag;

export interface StatusBody {
  readonly status: OrderStatus;
  readonly version?: number;
  readonly reason?: string;
  /** With `shipped` only, both or neither (the schema enforces it). */
  readonly carrier?: string;
  readonly trackingNumber?: string;
}

export type CancelBody = Pick<StatusBody, 'version' | 'reason'>;

export interface StatsQuery {
  readonly from?: Date;
  readonly to?: Date;
  readonly top?: number;
}

function actorOf(req: Pick<Request, 'auth'>): OrderActor {
  return { id: req.auth!.id, isStaff: isStaff(req.auth!.role) };
}

function statsRange(query: StatsQuery): { from: Date; to: Date } {
  const to = query.to ?? new Date();
  const from = query.from ?? new Date(to.getTime() - DEFAULT_STATS_DAYS * DAY_MS);
  if (to.getTime() - from.getTime() > MAX_STATS_DAYS * DAY_MS) {
    throw new ValidationError('Request validation failed', [{ location: 'query', path: 'from', message: `the range may span at most ${MAX_STATS_DAYS} days`, type: 'range.max' }]);
  }
  return { from, to };
}

export function createOrderController(orders: OrderService) {
  return {
    /** Idempotency-Key is handled by the route's declared capability (replay, 409, 422). */
    async place(req: TypedRequest<{ body: PlaceOrderInput; headers: IdempotencyHeaders }>, res: Response) {
      const view = await orders.place(actorOf(req), req.validated.body, { idempotencyKey: req.validated.headers['idempotency-key'] });
      res.setHeader('ETag', orderEtag(view));
      res.location(`${req.baseUrl}/orders/${view.id}`);
      sendSuccess(res, view, { status: 201 });
    },

    async list(req: TypedRequest<{ query: OrderListQuery }>, res: Response) {
      const result = await orders.list(actorOf(req), req.validated.query);
      res.setHeader('Cache-Control', 'private, no-store');
      sendSuccess(res, result.data, { meta: result.meta });
    },

    async get(req: TypedRequest<{ params: IdParams }>, res: Response) {
      const view = await orders.get(actorOf(req), req.validated.params.id);
      res.setHeader('ETag', orderEtag(view));
      res.setHeader('Cache-Control', 'private, no-store');
      sendSuccess(res, view);
    },

    async cancel(req: TypedRequest<{ params: IdParams; body: CancelBody | undefined; headers: IfMatchHeaders }>, res: Response) {
      const { id } = req.validated.params;
      const { version, reason } = req.validated.body ?? {};
      const view = await orders.cancel(actorOf(req), id, expectedVersion(req.validated.headers['if-match'], id, version, 'order'), reason);
      res.setHeader('ETag', orderEtag(view));
      sendSuccess(res, view);
    },

    async changeStatus(req: TypedRequest<{ params: IdParams; body: StatusBody; headers: IfMatchHeaders }>, res: Response) {
      const { id } = req.validated.params;
      const { status, version, reason, carrier, trackingNumber } = req.validated.body;
      const shipment = carrier && trackingNumber ? { carrier, trackingNumber } : undefined;
      const view = await orders.changeStatus(actorOf(req), id, status, expectedVersion(req.validated.headers['if-match'], id, version, 'order'), reason, shipment);
      res.setHeader('ETag', orderEtag(view));
      sendSuccess(res, view);
    },

    async stats(req: TypedRequest<{ query: StatsQuery }>, res: Response) {
      const { from, to } = statsRange(req.validated.query);
      sendSuccess(res, await orders.stats(from, to, req.validated.query.top));
    },
  };
}
