// `npm run db:explain`: for each documented query shape, the winning plan and keys/docs examined
// against whatever MONGODB_URI points at, labelled with the server that produced them.
// The shapes are built by the real query engine, so the doc and the code cannot drift apart.
// `--seed` seeds the demo catalog first when the collection is empty; `--label "text"` names the server.
import mongoose from 'mongoose';
import { config } from '../src/config';
import { seedCatalog } from '../src/loaders/seed';
import { explainOrders } from './explain-orders';
import { explainAnalytics } from './explain-analytics';
import { createSeedRepositories } from '../src/loaders/repositories';
import { productModel } from '../src/models/Product';
import { encodeCursor, keysOf, planQuery, type ProductListQuery, type Viewer } from '../src/services/query-engine';

interface Shape {
  readonly label: string;
  readonly query: ProductListQuery;
  readonly viewer?: Viewer;
  readonly count?: boolean;
}

const PUBLIC: Viewer = { isStaff: false };
const SECRET = 'explain-only';

const SHAPES: readonly Shape[] = [
  { label: 'Default storefront listing (newest first)', query: {} },
  { label: 'Offset total for the listing (countDocuments)', query: {}, count: true },
  { label: 'Category + price range, cheapest first', query: { category: 'phones', minPrice: 100, maxPrice: 500, sort: 'price:asc' } },
  { label: 'Category subtree (computers: laptops + tablets) + price range, cheapest first', query: { category: 'computers', minPrice: 100, maxPrice: 1000, sort: 'price:asc' } },
  { label: 'Broad category subtree (electronics: 6 of 8 leaf categories), cheapest first', query: { category: 'electronics', sort: 'price:asc' } },
  { label: 'Price high→low', query: { sort: 'price:desc' } },
  { label: 'Best rated', query: { sort: 'ratingAverage:desc' } },
  { label: 'Tags (any)', query: { tags: ['apple', 'samsung'] } },
  { label: 'Issue example: search=phone&minPrice=100&maxPrice=500&sort=price:desc&tags=apple,samsung', query: { search: 'phone', minPrice: 100, maxPrice: 500, sort: 'price:desc', tags: ['apple', 'samsung'] } },
  { label: 'Text search by relevance', query: { search: 'wireless headphones', searchMode: 'text', sort: 'relevance' } },
  { label: 'Keyset (cursor) page 2, price high→low', query: { sort: 'price:desc', pagination: 'cursor' } },
  { label: 'Variant options: size M in black (one active variant matching both)', query: { options: ['size:M', 'colour:black'] } },
  { label: 'Staff: only deleted', query: { onlyDeleted: true }, viewer: { isStaff: true } },
];

function summarizePlan(stage: Record<string, unknown> | undefined): string {
  if (!stage) return '?';
  const name = String(stage.stage);
  const index = stage.indexName ? `(${String(stage.indexName)})` : '';
  const children = [stage.inputStage, ...((stage.inputStages as unknown[]) ?? [])].filter(Boolean) as Record<string, unknown>[];
  return children.length ? `${name}${index} ← ${children.map(summarizePlan).join(' + ')}` : `${name}${index}`;
}

/**
 * What the server says it is. A wire-compatible test server (mongod-emu) reports mongod's own
 * buildInfo, so the caller names it with `--label "…"` when it matters; the host is always shown.
 */
async function serverLabel(uri: string): Promise<string> {
  const info = (await mongoose.connection.db!.admin().command({ buildInfo: 1 })) as Record<string, unknown>;
  const host = uri.replace(/\/\/[^@/]*@/, '//***@').replace(/\?.*$/, '');
  const flag = process.argv.indexOf('--label');
  const label = flag > 0 ? process.argv[flag + 1] : undefined;
  return `${label ? `${label} — ` : ''}server reports MongoDB ${String(info.version)} (gitVersion ${String(info.gitVersion).slice(0, 12)}) at ${host}`;
}

// Plans are explained on the model itself: the repository returns rows, not plans.
const Product = productModel(mongoose.connection);

async function cursorAfterFirstPage(query: ProductListQuery): Promise<ProductListQuery> {
  const plan = planQuery(query, PUBLIC, SECRET);
  const [last] = await Product.find(plan.filter).sort(plan.sort as never).skip(19).limit(1).lean();
  if (!last) return query;
  // The engine's own stored keys (price sorts by the variant range's minimum, priceMinMinor).
  const keys = keysOf(last as Record<string, unknown>, plan.sortTerms);
  return { ...query, cursor: encodeCursor(plan.sortTerms, keys as never, SECRET) };
}

async function explainShape(shape: Shape): Promise<void> {
  const query = shape.query.pagination === 'cursor' ? await cursorAfterFirstPage(shape.query) : shape.query;
  const plan = planQuery(query, shape.viewer ?? PUBLIC, SECRET);
  const limit = plan.page.limit;
  const explained = shape.count
    ? await mongoose.connection.db!.command({ explain: { count: Product.collection.collectionName, query: plan.filter }, verbosity: 'executionStats' })
    : ((await Product.find(plan.filter, plan.projection ?? undefined).sort(plan.sort as never).limit(limit).explain('executionStats')) as unknown);
  const result = (Array.isArray(explained) ? explained[0] : explained) as {
    queryPlanner?: { winningPlan?: Record<string, unknown> };
    executionStats?: { nReturned: number; totalKeysExamined: number; totalDocsExamined: number; executionTimeMillis: number };
  };
  const winning = result.queryPlanner?.winningPlan;
  const stats = result.executionStats;
  process.stdout.write(`\n### ${shape.label}\n`);
  process.stdout.write(`filter: ${JSON.stringify(plan.filter)}\n`);
  if (!shape.count) process.stdout.write(`sort:   ${JSON.stringify(plan.sort)}  limit: ${limit}\n`);
  process.stdout.write(`plan:   ${summarizePlan((winning?.queryPlan as Record<string, unknown>) ?? winning)}\n`);
  if (stats) {
    process.stdout.write(
      `stats:  returned ${stats.nReturned}, keys examined ${stats.totalKeysExamined}, docs examined ${stats.totalDocsExamined}, ${stats.executionTimeMillis} ms\n`,
    );
  }
}

async function main(): Promise<void> {
  if (!config.mongo.uri) throw new Error('Set MONGODB_URI to the database to explain against');
  await mongoose.connect(config.mongo.uri, { dbName: config.mongo.dbName, serverSelectionTimeoutMS: 5000 });
  try {
    const repositories = await createSeedRepositories(mongoose.connection, config);
    const repo = repositories.products;
    if ((await repo.countAll()) === 0 && process.argv.includes('--seed')) await seedCatalog(repositories);
    const label = await serverLabel(config.mongo.uri);
    const total = await repo.countAll();
    process.stdout.write(`Server: ${label}\nDatabase: ${mongoose.connection.name}, products: ${total}\n`);
    process.stdout.write(
      'Note: against the test server (mongod-emu) plans are chosen by trial over ordered indexes as mongod does and keys/docs examined are what its scans read; timings are the emulator\'s own, and $text is evaluated by a scan.\n',
    );
    for (const shape of SHAPES) await explainShape(shape);
    await explainOrders((text) => process.stdout.write(text), summarizePlan, process.argv.includes('--seed'));
    await explainAnalytics((text) => process.stdout.write(text), summarizePlan, process.argv.includes('--seed'));
  } finally {
    await mongoose.disconnect();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`db:explain failed: ${err.message}\n`);
  process.exitCode = 1;
});
