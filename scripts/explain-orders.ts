// Order query shapes for `npm run db:explain`: the plans behind GET /orders (staff by status,
// a customer's history), the stale-order sweep and the stats $match. Built with the real planner.
import mongoose, { Types } from 'mongoose';
import { orderModel } from '../src/models/Order';
import { statsPipeline } from '../src/repositories/order.repository';
import { planOrderList, type OrderActor, type OrderListQuery } from '../src/services/orders/query';

const Order = orderModel(mongoose.connection);
const STAFF: OrderActor = { id: new Types.ObjectId().toHexString(), isStaff: true };
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;

/** Deterministic demo orders (explain only: no stock is touched). */
export async function seedOrdersForExplain(count = 5000): Promise<Types.ObjectId> {
  const accounts = Array.from({ length: 200 }, (_, i) => new Types.ObjectId(i.toString(16).padStart(24, '0')));
  const start = Date.UTC(2026, 0, 1);
  const docs = Array.from({ length: count }, (_, i) => {
    const createdAt = new Date(start + i * 37 * 60_000);
    const status = STATUSES[(i * 7) % STATUSES.length];
    const quantity = 1 + (i % 3);
    return {
      account: accounts[i % accounts.length],
      items: [{ product: new Types.ObjectId(), name: `Demo ${i % 50}`, sku: `DEMO-${i % 50}`, unitPriceMinor: 999, quantity, lineTotalMinor: 999 * quantity }],
      subtotalMinor: 999 * quantity,
      totalMinor: 999 * quantity,
      currency: 'USD',
      status,
      statusHistory: [{ status, at: createdAt, by: null }],
      shippingAddress: { fullName: 'Demo', line1: '1 Demo St', city: 'Demo', postalCode: '00000', country: 'GB' },
      version: 1,
      createdAt,
      updatedAt: createdAt,
    };
  });
  await Order.collection.insertMany(docs, { ordered: false });
  return accounts[0];
}

type Write = (text: string) => void;

interface ExplainResult {
  queryPlanner?: { winningPlan?: Record<string, unknown> };
  executionStats?: { nReturned: number; totalKeysExamined: number; totalDocsExamined: number; executionTimeMillis: number };
}

export async function explainOrders(write: Write, summarizePlan: (stage: Record<string, unknown> | undefined) => string, seed: boolean): Promise<void> {
  await Order.init();
  if ((await Order.estimatedDocumentCount()) === 0 && seed) await seedOrdersForExplain();
  const sample = await Order.findOne({}, { account: 1 }).lean();
  const account = sample?.account.toString() ?? new Types.ObjectId().toHexString();
  write(`\n## Orders (${await Order.estimatedDocumentCount()} orders)\n`);
  const shapes: { label: string; query: OrderListQuery; actor: OrderActor }[] = [
    { label: 'Staff listing by status, newest first (GET /orders?status=paid)', query: { status: 'paid' }, actor: STAFF },
    { label: "A customer's history, newest first (GET /orders as the customer)", query: {}, actor: { id: account, isStaff: false } },
    { label: 'Staff listing, all statuses, newest first', query: {}, actor: STAFF },
  ];
  for (const shape of shapes) {
    const plan = planOrderList(shape.query, shape.actor, 'explain-only');
    const limit = plan.page.limit;
    const result = (await Order.find(plan.filter).sort(plan.sort).limit(limit).explain('executionStats')) as unknown as ExplainResult;
    report(write, summarizePlan, shape.label, plan.filter, `${JSON.stringify(plan.sort)}  limit: ${limit}`, result);
  }
  const cutoff = new Date(Date.UTC(2026, 1, 1));
  const sweep = (await Order.find({ status: 'pending', createdAt: { $lt: cutoff } }).sort({ createdAt: 1 }).limit(200).explain('executionStats')) as unknown as ExplainResult;
  report(write, summarizePlan, 'Stale pending sweep (cancelStalePending)', { status: 'pending', createdAt: { $lt: cutoff } }, '{"createdAt":1}  limit: 200', sweep);
  const [from, to] = [new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 1, 1))];
  const aggregate = (await Order.aggregate(statsPipeline(from, to, 10)).explain('queryPlanner')) as unknown as { stages?: { $cursor?: ExplainResult }[] } & ExplainResult;
  const cursorStage = aggregate.stages?.[0]?.$cursor ?? aggregate;
  write(`\n### Stats (GET /orders/stats): the pipeline's $match\nmatch:  ${JSON.stringify({ createdAt: { $gte: from, $lt: to } })}\n`);
  write(`plan:   ${summarizePlan((cursorStage.queryPlanner?.winningPlan?.queryPlan as Record<string, unknown>) ?? cursorStage.queryPlanner?.winningPlan)}\n`);
}

function report(write: Write, summarizePlan: (s: Record<string, unknown> | undefined) => string, label: string, filter: unknown, sort: string, result: ExplainResult): void {
  const winning = result.queryPlanner?.winningPlan;
  const stats = result.executionStats;
  write(`\n### ${label}\nfilter: ${JSON.stringify(filter)}\nsort:   ${sort}\n`);
  write(`plan:   ${summarizePlan((winning?.queryPlan as Record<string, unknown>) ?? winning)}\n`);
  if (stats) write(`stats:  returned ${stats.nReturned}, keys examined ${stats.totalKeysExamined}, docs examined ${stats.totalDocsExamined}, ${stats.executionTimeMillis} ms\n`);
}
