// One access-log record per request, written when the response closes — for answered requests and
// for the ones the client gave up on — with the same duration the metrics observe.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { observeRequests } from '../../src/middlewares/request-observer';
import { logger } from '../../src/utils/logger';
import { waitFor } from '../support/email-smtp';
import { MemoryTransport } from '../support/log-capture';


describe('observeRequests', () => {
  // The test profile logs at error; this file listens at debug (to see probes' records), through its own transport only.
  const capture = new MemoryTransport();
  const others = [...logger.transports];
  const level = logger.level;
  beforeAll(() => {
    for (const transport of others) logger.remove(transport);
    logger.add(capture);
    logger.level = 'debug';
  });
  afterAll(() => {
    logger.level = level;
    logger.remove(capture);
    for (const transport of others) logger.add(transport);
  });

  const app = express()
    .use(observeRequests())
    .get('/widgets/:id', (_req, res) => {
      res.locals.routeTemplate = '/widgets/:id';
      res.status(201).json({ ok: true });
    })
    .get('/stall', () => undefined) // never answers
    .get('/health', (_req, res) => {
      res.json({ ok: true });
    })
    .get('/ready', (_req, res) => {
      res.status(503).json({ ok: false });
    });

  it('when a request is answered, then one "request completed" record names its route template, status and path without the query', async () => {
    await request(app).get('/widgets/w-1?secret=1').expect(201);
    const record = await waitFor(() => capture.records.find((r) => r.message === 'request completed' && r.path === '/widgets/w-1'));
    expect(record).toMatchObject({ level: 'info', method: 'GET', route: '/widgets/:id', status: 201, durationMs: expect.any(Number) });
    expect(capture.records.filter((r) => r.path === '/widgets/w-1')).toHaveLength(1);
  });

  it('when a probe succeeds, then its record is at debug, not info; a failing probe is logged at info', async () => {
    await request(app).get('/health').expect(200);
    await request(app).get('/ready').expect(503);
    const health = await waitFor(() => capture.records.find((r) => r.path === '/health'));
    const ready = await waitFor(() => capture.records.find((r) => r.path === '/ready'));
    expect(health).toMatchObject({ level: 'debug', status: 200 });
    expect(ready).toMatchObject({ level: 'info', status: 503 });
  });

  it('when the client goes away before the answer, then a "request aborted" record is written once', async () => {
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      const received = new Promise((resolve) => server.once('request', resolve));
      const req = http.get({ host: '127.0.0.1', port, path: '/stall' });
      req.on('error', () => undefined);
      await received;
      req.destroy();
      const record = await waitFor(() => capture.records.find((r) => r.message === 'request aborted' && r.path === '/stall'));
      expect(record).toMatchObject({ level: 'info', method: 'GET', route: undefined });
      expect(capture.records.filter((r) => r.path === '/stall')).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
