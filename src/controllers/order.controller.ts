// HTTP for orders: read validated input, call one service method, send the envelope with the ETag.
import type { Request, Response } from 'express';
import type { OrderStatus } from '../models/Order';
import type { OrderActor, OrderListQuery } from '../services/orders/query';
import type { OrderService } from '../services/orders/order.service';
import type { PlaceOrderInput } from '../services/orders/placement';
import { BadRequestError, PreconditionRequiredError, ValidationError } from '../utils/errors';
import { sendSuccess } from '../utils/response';
import { isStaff } from '../utils/roles';
import { MAX_STATS_DAYS } from '../routes/order.schemas';

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_STATS_DAYS = 30;

/** Strong validator for one order: its id and version change together with every status change. */
export function orderEtag(view: { id: string; version: number }): string {
  return `"${view.id}-v${view.version}"`;
}

/** The version the client read: If-Match (our ETag) or `version` in the body; both must agree; one is required. */
export function expectedOrderVersion(ifMatch: string | undefined, id: string, bodyVersion: number | undefined): number {
  let fromHeader: number | undefined;
  if (ifMatch !== undefined) {
    const match = new RegExp(`^"${id}-v(\\d+)"$`).exec(ifMatch.trim());
    if (!match) throw new BadRequestError('If-Match must be the ETag this order was read with', 'INVALID_PRECONDITION');
    fromHeader = Number(match[1]);
  }
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw new BadRequestError('If-Match and version disagree', 'INVALID_PRECONDITION');
  }
  const version = fromHeader ?? bodyVersion;
  if (version === undefined) throw new PreconditionRequiredError('Send If-Match with the order ETag or the version you read', 'VERSION_REQUIRED');
  return version;
}

function actorOf(req: Request): OrderActor {
  return { id: req.auth!.id, isStaff: isStaff(req.auth!.role) };
}

function statsRange(query: { from?: Date; to?: Date }): { from: Date; to: Date } {
  const to = query.to ?? new Date();
  const from = query.from ?? new Date(to.getTime() - DEFAULT_STATS_DAYS * DAY_MS);
  if (to.getTime() - from.getTime() > MAX_STATS_DAYS * DAY_MS) {
    throw new ValidationError('Request validation failed', [{ location: 'query', path: 'from', message: `the range may span at most ${MAX_STATS_DAYS} days`, type: 'range.max' }]);
  }
  return { from, to };
}

export function createOrderController(orders: OrderService) {
  return {
    async place(req: Request, res: Response) {
      const key = (req.headers['idempotency-key'] as string | undefined)?.trim();
      const result = await orders.place(actorOf(req), req.validated.body as PlaceOrderInput, key);
      res.setHeader('ETag', orderEtag(result.order));
      res.location(`${req.baseUrl}/orders/${result.order.id}`);
      if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
      sendSuccess(res, result.order, { status: result.status });
    },

    async list(req: Request, res: Response) {
      const result = await orders.list(actorOf(req), req.validated.query as OrderListQuery);
      res.setHeader('Cache-Control', 'private, no-store');
      sendSuccess(res, result.data, { meta: result.meta });
    },

    async get(req: Request, res: Response) {
      const view = await orders.get(actorOf(req), String(req.validated.params.id));
      res.setHeader('ETag', orderEtag(view));
      res.setHeader('Cache-Control', 'private, no-store');
      sendSuccess(res, view);
    },

    async cancel(req: Request, res: Response) {
      const id = String(req.validated.params.id);
      const { version, reason } = (req.validated.body ?? {}) as { version?: number; reason?: string };
      const view = await orders.cancel(actorOf(req), id, expectedOrderVersion(req.get('if-match'), id, version), reason);
      res.setHeader('ETag', orderEtag(view));
      sendSuccess(res, view);
    },

    async changeStatus(req: Request, res: Response) {
      const id = String(req.validated.params.id);
      const { status, version, reason, carrier, trackingNumber } = req.validated.body as { status: OrderStatus; version?: number; reason?: string; carrier?: string; trackingNumber?: string };
      const shipment = carrier && trackingNumber ? { carrier, trackingNumber } : undefined;
      const view = await orders.changeStatus(actorOf(req), id, status, expectedOrderVersion(req.get('if-match'), id, version), reason, shipment);
      res.setHeader('ETag', orderEtag(view));
      sendSuccess(res, view);
    },

    async stats(req: Request, res: Response) {
      const query = req.validated.query as { from?: Date; to?: Date; top?: number };
      const { from, to } = statsRange(query);
      sendSuccess(res, await orders.stats(from, to, query.top));
    },
  };
}
