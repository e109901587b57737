// API process entry point.
import { bootstrap } from './loaders';
import { flushLogger, logger } from './utils/logger';

bootstrap().catch(async (err: Error) => {
  logger.error('✗ Start-up failed', { error: err.message, stack: err.stack });
  await flushLogger();
  process.exit(1);
});
