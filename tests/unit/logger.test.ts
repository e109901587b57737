import type winston from 'winston';
import { logger, maskUrlCredentials, REDACTED, redact } from '../../src/utils/logger';
import { MemoryTransport } from '../support/log-capture';

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

  it('when a string quotes a URL with credentials, then only its user:password is masked', () => {
    expect(maskUrlCredentials('connect ECONNREFUSED mongodb://admin:s3cret@10.0.0.5:27017 and redis://:pw@cache:6379/0')).toBe(
      'connect ECONNREFUSED mongodb://***@10.0.0.5:27017 and redis://***@cache:6379/0',
    );
    expect(maskUrlCredentials('mongodb+srv://app:p%40ss@cluster0.example.net/shop?retryWrites=true')).toBe('mongodb+srv://***@cluster0.example.net/shop?retryWrites=true');
    // An e-mail address or a URL without userinfo is not a credential.
    expect(maskUrlCredentials('sent to a@example.com via https://smtp.example.com/path?x=a@b')).toBe('sent to a@example.com via https://smtp.example.com/path?x=a@b');
    expect(redact({ error: { detail: 'postgres://u:p@db/x' }, list: ['amqp://guest:guest@mq'] })).toEqual({ error: { detail: 'postgres://***@db/x' }, list: ['amqp://***@mq'] });
  });

  it('when redacting, then the original object is left untouched', () => {
    const record = { password: 'p' };
    redact(record);
    expect(record.password).toBe('p');
  });
});

describe('logger levels', () => {
  // Records below every transport's level are dropped before winston's stream; the levels must still decide alone.
  const others = [...logger.transports];
  const level = logger.level;
  let added: winston.transport[] = [];
  beforeEach(() => {
    for (const transport of others) logger.remove(transport);
  });
  afterEach(() => {
    for (const transport of added) logger.remove(transport);
    added = [];
    logger.level = level;
    for (const transport of others) logger.add(transport);
  });
  const use = <T extends winston.transport>(transport: T): T => (added.push(transport), logger.add(transport), transport);
  const flushed = () => new Promise((resolve) => setImmediate(resolve));

  it('when a record is below the logger level, then no transport gets it; at or above it, they do', async () => {
    logger.level = 'info';
    const { records } = use(new MemoryTransport());
    logger.debug('below');
    logger.log('debug', 'below too', { requestId: 'r1' });
    logger.info('at');
    logger.warn('above');
    await flushed();
    expect(records.map((r) => r.message)).toEqual(['at', 'above']);
  });

  it('when an error quoting a connection string is logged, then no written field carries its password', async () => {
    logger.level = 'info';
    const memory = use(new MemoryTransport());
    const failure = new Error('connect ECONNREFUSED mongodb://admin:s3cret@10.0.0.5:27017');
    logger.error(failure);
    logger.error('request failed', { error: failure.message, stack: failure.stack });
    await flushed();
    const lines = memory.lines();
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain('mongodb://***@10.0.0.5:27017');
      expect(line).not.toContain('s3cret');
    }
    expect(JSON.parse(lines[0]!)).toEqual(expect.objectContaining({ message: expect.stringContaining('***@'), stack: expect.stringContaining('***@') }));
  });

  it('when one transport listens at a lower level than the logger, then it still gets those records', async () => {
    logger.level = 'warn';
    const { records } = use(new MemoryTransport({ level: 'debug' }));
    logger.debug('for the verbose transport');
    await flushed();
    expect(records).toEqual([expect.objectContaining({ level: 'debug', message: 'for the verbose transport' })]);
  });
});
