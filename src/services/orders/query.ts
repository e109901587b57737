// GET /orders: validated parameters + who asks → filter, sort and page plan. Pure; sort, cursors
// and pages come from the shared listing toolkit.
import { Types } from 'mongoose';
import type { OrderStatus } from '../../models/Order';
import { ForbiddenError } from '../../utils/errors';
import { planList, withClause, type ListPlan, type PageQuery, type SortSpec } from '../listing/listing';
import { toMinorUnits } from '../query-engine';

export interface OrderListQuery extends PageQuery {
  readonly status?: OrderStatus;
  readonly account?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly minTotal?: number;
  readonly maxTotal?: number;
}

/** The order sort whitelist for the shared listing grammar; totals sort on stored minor units. */
export const ORDER_SORT: SortSpec = {
  defaultSort: 'createdAt:desc',
  fields: {
    createdAt: { storage: 'createdAt', type: 'date' },
    total: { storage: 'totalMinor', type: 'number' },
  },
};

export interface OrderActor {
  readonly id: string;
  readonly isStaff: boolean;
}

export interface OrderListPlan extends ListPlan {
  readonly filter: Record<string, unknown>;
}

function range<T>(min: T | undefined, max: T | undefined, maxExclusive = false): Record<string, T> | undefined {
  if (min === undefined && max === undefined) return undefined;
  return { ...(min !== undefined && { $gte: min }), ...(max !== undefined && { [maxExclusive ? '$lt' : '$lte']: max }) };
}

/** Customers are confined to their own orders; asking for someone else's account is refused, not ignored. */
export function buildOrderFilter(query: OrderListQuery, actor: OrderActor): Record<string, unknown> {
  if (!actor.isStaff && query.account !== undefined && query.account !== actor.id) {
    throw new ForbiddenError('Customers may list only their own orders');
  }
  const filter: Record<string, unknown> = {};
  const account = actor.isStaff ? query.account : actor.id;
  if (account) filter.account = new Types.ObjectId(account);
  if (query.status) filter.status = query.status;
  const created = range(query.from, query.to, true);
  if (created) filter.createdAt = created;
  const total = range(
    query.minTotal === undefined ? undefined : toMinorUnits(query.minTotal),
    query.maxTotal === undefined ? undefined : toMinorUnits(query.maxTotal),
  );
  if (total) filter.totalMinor = total;
  return filter;
}

export function planOrderList(query: OrderListQuery, actor: OrderActor, secret: string): OrderListPlan {
  const list = planList(query, ORDER_SORT, secret);
  return { ...list, filter: withClause(buildOrderFilter(query, actor), list.after) };
}
