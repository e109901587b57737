// Structured logging: JSON lines with service, pid and the current request id on every record,
// secrets redacted, pretty console output only where a person is watching.
import path from 'node:path';
import { configure } from 'safe-stable-stringify';
import winston from 'winston';
import { config, projectRoot } from '../config';
import { currentRequestId } from './tracing';

const SECRET_KEY = /(authorization|cookie|password|passwd|secret|token|api[-_]?key)/i;
const MAX_REDACT_DEPTH = 5;
export const REDACTED = '[REDACTED]';
// The userinfo of a URL (`mongodb://user:password@host`): a connection string quoted in an error
// message or stack must not carry its password into the log files.
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/** `text` with every URL's `user:password@` replaced by `***@`. */
export function maskUrlCredentials(text: string): string {
  return text.includes('@') ? text.replace(URL_USERINFO, '$1***@') : text;
}

/**
 * Returns a copy of `value` with every secret-looking key replaced and URL credentials masked in
 * every string; leaves the input untouched.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskUrlCredentials(value);
  // JSON has no bigint; logform used to quote it, so records keep doing that.
  if (typeof value === 'bigint') return value.toString();
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
    if (key === 'level') continue;
    info[key] = key !== 'message' && SECRET_KEY.test(key) ? REDACTED : redact(info[key]);
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

// errors() first, so an Error's message and stack are plain fields by the time they are redacted.
const base = winston.format.combine(
  winston.format.errors({ stack: true }),
  contextFormat(),
  redactFormat(),
  winston.format.timestamp(),
);

// Serialized once per record, at the logger: the console and both files write the same string
// (winston transports reuse info[MESSAGE] unless given a format of their own). logform's json()
// re-configures its serializer and runs a replacer on every value of every record, and sorts the
// keys; this one is configured once, keeps the fields in the order they were logged and still
// survives circular references (bigints are turned into strings by redact()).
// winston reads the finished line from info[Symbol.for('message')] (triple-beam's MESSAGE).
const MESSAGE = Symbol.for('message');
const serialize = configure({ deterministic: false, circularValue: '[Circular]', bigint: false });
const json = winston.format((info) => {
  (info as Record<symbol, unknown>)[MESSAGE] = serialize(info);
  return info;
})();

// Colours only on a terminal: `npm start > file` and process managers must get plain text.
const pretty = winston.format.combine(
  ...(process.stdout.isTTY ? [winston.format.colorize()] : []),
  winston.format.printf(({ timestamp, level, message, requestId, service: _s, pid: _p, stack, ...rest }) => {
    const id = requestId ? ` [${String(requestId).slice(0, 8)}]` : '';
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${String(timestamp)} ${level}${id} ${String(message)}${extra}${stack ? `\n${String(stack)}` : ''}`;
  }),
);

function buildTransports(): winston.transport[] {
  const transports: winston.transport[] = [];
  if (config.log.toStdout) {
    transports.push(new winston.transports.Console({ ...(config.log.pretty ? { format: pretty } : {}), stderrLevels: ['error'] }));
  }
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

// winston runs every record through its Transform stream and formats (redaction, timestamp,
// serialization) before each transport drops it by level. A record of a known level that no
// transport would write stops here instead; records of other levels go on as before.
const streamWrite = logger.write.bind(logger);
logger.write = ((info: winston.LogEntry, ...rest: unknown[]) => {
  const level = info?.level;
  if (typeof level === 'string' && level in logger.levels && !logger.isLevelEnabled(level)) {
    const done = rest.find((arg): arg is () => void => typeof arg === 'function');
    if (done) process.nextTick(done);
    return true;
  }
  return (streamWrite as (...args: unknown[]) => boolean)(info, ...rest);
}) as typeof logger.write;

export type Logger = typeof logger;

/**
 * Waits until every file transport has written what it holds, then closes the files — used before
 * exit. Records still queued inside the logger (a busy file pushes back) are let through first;
 * the files are then detached before they are ended, so a record logged after this (a late
 * driver event) goes to the remaining transports instead of failing with "write after end".
 */
export async function flushLogger(timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (logger.readableLength > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  const files = logger.transports.filter((transport): transport is InstanceType<typeof winston.transports.File> => transport instanceof winston.transports.File);
  await Promise.all(
    files.map(
      (transport) =>
        new Promise<void>((resolve) => {
          logger.remove(transport);
          if (transport.writable === false) return resolve();
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          timer.unref();
          transport.once('finish', () => {
            clearTimeout(timer);
            resolve();
          });
          transport.end();
        }),
    ),
  );
  await Promise.all([drained(process.stdout, deadline), drained(process.stderr, deadline)]);
}

/**
 * Resolves once everything written to the stream so far has been handed on. Under PM2 stdout and
 * stderr are asynchronous file streams, and exiting before they flush loses the last records
 * ("Shutdown complete" among them); a zero-length write's callback fires after the earlier writes.
 */
function drained(stream: NodeJS.WriteStream, deadline: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    timer.unref();
    stream.write('', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
