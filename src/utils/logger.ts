// Structured logging: JSON lines with service, pid and the current request id on every record,
// secrets redacted, pretty console output only where a person is watching.
import path from 'node:path';
import winston from 'winston';
import { config, projectRoot } from '../config';
import { currentRequestId } from './tracing';

const SECRET_KEY = /(authorization|cookie|password|passwd|secret|token|api[-_]?key)/i;
const MAX_REDACT_DEPTH = 5;
export const REDACTED = '[REDACTED]';

/** Returns a copy of `value` with every secret-looking key replaced; leaves the input untouched. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_REDACT_DEPTH) return value;
  if (value instanceof Error || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(inner, depth + 1);
  }
  return out;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = SECRET_KEY.test(key) ? REDACTED : redact(info[key]);
  }
  return info;
});

const contextFormat = winston.format((info) => {
  info.service = config.serviceName;
  info.pid = process.pid;
  if (info.requestId === undefined) {
    const requestId = currentRequestId();
    if (requestId) info.requestId = requestId;
  }
  return info;
});

const base = winston.format.combine(
  contextFormat(),
  redactFormat(),
  winston.format.errors({ stack: true }),
  winston.format.timestamp(),
);

// Serialized once per record, at the logger: the console and both files write the same string
// (winston transports reuse info[MESSAGE] unless given a format of their own).
const json = winston.format.json();

const pretty = winston.format.combine(
  winston.format.colorize(),
  winston.format.printf(({ timestamp, level, message, requestId, service: _s, pid: _p, stack, ...rest }) => {
    const id = requestId ? ` [${String(requestId).slice(0, 8)}]` : '';
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${String(timestamp)} ${level}${id} ${String(message)}${extra}${stack ? `\n${String(stack)}` : ''}`;
  }),
);

function buildTransports(): winston.transport[] {
  const transports: winston.transport[] = [
    new winston.transports.Console({ ...(config.log.pretty ? { format: pretty } : {}), stderrLevels: ['error'] }),
  ];
  if (config.log.toFiles) {
    const dir = path.resolve(projectRoot, config.log.dir);
    const sized = { maxsize: config.log.maxFileBytes, maxFiles: config.log.maxFiles, tailable: true };
    transports.push(
      new winston.transports.File({ ...sized, filename: path.join(dir, 'app.log') }),
      new winston.transports.File({ ...sized, filename: path.join(dir, 'error.log'), level: 'error' }),
    );
  }
  return transports;
}

export const logger = winston.createLogger({
  level: config.log.level,
  // Enrichment, redaction and JSON serialization run once per record, whatever the transports.
  format: winston.format.combine(base, json),
  transports: buildTransports(),
  exitOnError: false,
});

export type Logger = typeof logger;

/** Waits until every transport has written what it holds (files included) — used before exit. */
export async function flushLogger(): Promise<void> {
  await Promise.all(
    logger.transports.map(
      (transport) =>
        new Promise<void>((resolve) => {
          if (!(transport instanceof winston.transports.File)) return resolve();
          if (transport.writable === false) return resolve();
          transport.once('finish', () => resolve());
          transport.end();
          setTimeout(resolve, 500).unref();
        }),
    ),
  );
}
