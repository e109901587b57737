// MongoDB connection. In local/development without MONGODB_URI an embedded single-node replica
// set (mongodb-memory-server) is started, so `npm start` works on a machine with no database.
import mongoose from 'mongoose';
import type { AppConfig } from '../config';
import { logger, maskUrlCredentials } from '../utils/logger';

export interface DatabaseHandle {
  readonly connection: mongoose.Connection;
  readonly uri: string;
  readonly embedded: boolean;
  close(): Promise<void>;
}

interface EmbeddedServer {
  getUri(dbName?: string): string;
  stop(): Promise<boolean>;
}

async function startEmbedded(): Promise<EmbeddedServer> {
  // A development dependency, loaded only on this path so production never needs it.
  const { MongoMemoryReplSet } = await import('mongodb-memory-server');
  return MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
}

function watchConnection(connection: mongoose.Connection): void {
  connection.on('disconnected', () => logger.warn('MongoDB disconnected'));
  connection.on('reconnected', () => logger.info('MongoDB reconnected'));
  connection.on('error', (err: Error) => logger.error('MongoDB connection error', { error: err.message }));
}

/** At debug level every Mongoose operation is logged; the request id comes from the async context. */
function logQueriesAtDebug(level: string): void {
  if (level !== 'debug' && level !== 'silly') return;
  mongoose.set('debug', (collection: string, method: string, ...args: unknown[]) => {
    logger.debug('mongoose operation', { collection, method, args });
  });
}

export async function connectDatabase(config: AppConfig): Promise<DatabaseHandle> {
  mongoose.set('strictQuery', true);
  logQueriesAtDebug(config.log.level);
  let embedded: EmbeddedServer | undefined;
  let uri = config.mongo.uri;
  if (!uri) {
    if (config.isProduction) throw new Error('MONGODB_URI is required in production');
    embedded = await startEmbedded();
    uri = embedded.getUri();
    logger.warn('MONGODB_URI is not set: started an embedded in-memory MongoDB (data is lost on exit)', { uri });
  }
  watchConnection(mongoose.connection);
  await mongoose.connect(uri, {
    dbName: config.mongo.dbName ?? (embedded ? 'commerce' : undefined),
    maxPoolSize: config.mongo.maxPoolSize,
    serverSelectionTimeoutMS: config.mongo.serverSelectionTimeoutMs,
    socketTimeoutMS: config.mongo.socketTimeoutMs,
    autoIndex: config.mongo.autoIndex,
    // Fail fast instead of queueing operations while disconnected: callers get 503, not a hang.
    bufferCommands: false,
  });
  return {
    connection: mongoose.connection,
    uri: maskUrlCredentials(uri),
    embedded: Boolean(embedded),
    async close() {
      await mongoose.disconnect();
      if (embedded) await embedded.stop();
    },
  };
}
