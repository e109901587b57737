// Assertions for the response envelopes every endpoint shares.
import type { Response } from 'supertest';

export function expectErrorContract(res: Response, status: number, code?: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  const allowed = ['success', 'message', 'code', 'timestamp', 'path', 'requestId', 'details'];
  expect(Object.keys(res.body).filter((k) => !allowed.includes(k))).toEqual([]);
  expect(res.body).toMatchObject({
    success: false,
    message: expect.any(String),
    code: expect.stringMatching(/^[A-Z][A-Z0-9_]+$/),
    timestamp: expect.any(String),
    path: expect.any(String),
    requestId: expect.any(String),
  });
  expect(Number.isNaN(Date.parse(res.body.timestamp))).toBe(false);
  expect(res.body.requestId).toBe(res.headers['x-request-id']);
  if (code) expect(res.body.code).toBe(code);
  // Never leak internals.
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules|Mongo(Server)?Error/);
}

export function expectSuccess(res: Response, status = 200): void {
  expect(res.status).toBe(status);
  expect(res.body.success).toBe(true);
  expect(res.body).toHaveProperty('data');
}
