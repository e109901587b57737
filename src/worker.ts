// Worker process entry (`npm run worker`, `node dist/worker.js` under PM2); the boot sequence is in loaders/worker.ts.
import { bootstrapWorker } from './loaders/worker';
import { flushLogger, logger } from './utils/logger';

bootstrapWorker().catch(async (err: Error) => {
  logger.error('✗ Worker start-up failed', { error: err.message, stack: err.stack });
  await flushLogger();
  process.exit(1);
});
