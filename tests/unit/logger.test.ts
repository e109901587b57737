import { Writable } from 'node:stream';
import winston from 'winston';
import { logger, REDACTED, redact } from '../../src/utils/logger';

describe('redact', () => {
  it('when a log record holds secrets at any depth, then their values are replaced', () => {
    const record = {
      headers: { authorization: 'Bearer abc', cookie: 'refresh=xyz', accept: 'application/json' },
      body: { email: 'a@example.com', password: 'hunter2', nested: [{ refreshToken: 'r1' }] },
    };
    expect(redact(record)).toEqual({
      headers: { authorization: REDACTED, cookie: REDACTED, accept: 'application/json' },
      body: { email: 'a@example.com', password: REDACTED, nested: [{ refreshToken: REDACTED }] },
    });
  });

  it('when redacting, then the original object is left untouched', () => {
    const record = { password: 'p' };
    redact(record);
    expect(record.password).toBe('p');
  });
});

describe('logger levels', () => {
  // Records below every transport's level are dropped before winston's stream; the levels must still decide alone.
  const records: Array<{ level: string; message: string }> = [];
  const capture = (level?: string) =>
    new winston.transports.Stream({
      level,
      stream: new Writable({ objectMode: true, write: (info: { level: string; message: string }, _enc, done) => (records.push(info), done()) }),
    });
  const others = [...logger.transports];
  const level = logger.level;
  let added: winston.transport[] = [];
  beforeEach(() => {
    records.length = 0;
    for (const transport of others) logger.remove(transport);
  });
  afterEach(() => {
    for (const transport of added) logger.remove(transport);
    added = [];
    logger.level = level;
    for (const transport of others) logger.add(transport);
  });
  const use = (transport: winston.transport) => (added.push(transport), logger.add(transport));
  const flushed = () => new Promise((resolve) => setImmediate(resolve));

  it('when a record is below the logger level, then no transport gets it; at or above it, they do', async () => {
    logger.level = 'info';
    use(capture());
    logger.debug('below');
    logger.log('debug', 'below too', { requestId: 'r1' });
    logger.info('at');
    logger.warn('above');
    await flushed();
    expect(records.map((r) => r.message)).toEqual(['at', 'above']);
  });

  it('when one transport listens at a lower level than the logger, then it still gets those records', async () => {
    logger.level = 'warn';
    use(capture('debug'));
    logger.debug('for the verbose transport');
    await flushed();
    expect(records).toEqual([expect.objectContaining({ level: 'debug', message: 'for the verbose transport' })]);
  });
});
