import { REDACTED, redact } from '../../src/utils/logger';

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
