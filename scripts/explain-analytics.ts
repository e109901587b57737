// Analytics query shapes for `npm run db:explain`: the sales series and top-products aggregations
// read hourly rollups through the `hour` index — O(hours in range), whatever the number of orders.
import mongoose from 'mongoose';
import { salesRollupModel } from '../src/models/SalesRollup';
import { seriesPipeline } from '../src/repositories/analytics.repository';

const SalesRollup = salesRollupModel(mongoose.connection);

type Write = (text: string) => void;

/** 90 days of demo hourly rollups (explain only). */
async function seedRollups(): Promise<void> {
  const start = Date.UTC(2026, 0, 1);
  const docs = Array.from({ length: 90 * 24 }, (_, i) => ({
    hour: new Date(start + i * 3_600_000),
    orders: 3,
    units: 5,
    grossMinor: 5000,
    refundsMinor: 0,
    netMinor: 5000,
    averageOrderValueMinor: 1667,
    newCustomers: 1,
    products: { '000000000000000000000001': { units: 5, revenueMinor: 5000 } },
    categories: { phones: { units: 5, revenueMinor: 5000 } },
  }));
  await SalesRollup.collection.insertMany(docs, { ordered: false });
}

export async function explainAnalytics(write: Write, summarizePlan: (stage: Record<string, unknown> | undefined) => string, seed: boolean): Promise<void> {
  await SalesRollup.init();
  if ((await SalesRollup.estimatedDocumentCount()) === 0 && seed) await seedRollups();
  write(`\n## Sales analytics (${await SalesRollup.estimatedDocumentCount()} hourly rollups)\n`);
  const from = new Date(Date.UTC(2026, 0, 1));
  const to = new Date(Date.UTC(2026, 1, 1));
  const pipeline = seriesPipeline(from, to, 'day', 'Europe/Berlin');
  const explained = (await SalesRollup.aggregate(pipeline).explain('executionStats')) as unknown as Record<string, unknown>;
  const stages = (explained.stages as Record<string, unknown>[] | undefined) ?? [];
  const cursor = (stages[0]?.$cursor as Record<string, unknown> | undefined) ?? explained;
  const planner = cursor.queryPlanner as { winningPlan?: Record<string, unknown> } | undefined;
  const stats = cursor.executionStats as { nReturned?: number; totalKeysExamined?: number; totalDocsExamined?: number } | undefined;
  write(`\n### GET /analytics/sales?interval=day&tz=Europe/Berlin (January: 744 hours)\n`);
  write(`match: ${JSON.stringify(pipeline[0])}\n`);
  write(`plan: ${summarizePlan(planner?.winningPlan?.queryPlan as Record<string, unknown> | undefined ?? planner?.winningPlan)}\n`);
  if (stats) write(`returned ${stats.nReturned}, keys examined ${stats.totalKeysExamined}, docs examined ${stats.totalDocsExamined}\n`);
  write('top-products / top-categories (`rankedPipeline`) read the hourly documents of the range\'s edges through the same `hour` index and, through $unionWith, the whole UTC days and 7-day blocks of its interior from `sales_span_rollups` (index `{span, start}`), then $objectToArray/$unwind/$group.\n');
}
