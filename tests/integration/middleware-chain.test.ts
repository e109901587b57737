// chain(): several middlewares as one router layer must keep the router's contract, because the
// global steps and every route's steps run through it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import request from 'supertest';
import { chain } from '../../src/middlewares/chain';
import { bodyParsers } from '../../src/middlewares/security';
import { testConfig } from '../support/app';

function appWith(...handlers: RequestHandler[]) {
  const app = express();
  app.get('/x', chain(...handlers));
  app.get('/x', (_req, res) => void res.json({ from: 'next route' }));
  const onError: ErrorRequestHandler = (err: Error, _req, res, _next) => void res.status(500).json({ error: err.message });
  app.use(onError);
  return app;
}

const mark =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    res.locals.seen = [...((res.locals.seen as string[] | undefined) ?? []), name];
    next();
  };
const answer: RequestHandler = (_req, res) => void res.json({ seen: res.locals.seen });

describe('chain', () => {
  it('when every step calls next, then they run once each, in order, and the last one answers', async () => {
    const res = await request(appWith(mark('a'), mark('b'), mark('c'), answer)).get('/x').expect(200);
    expect(res.body).toEqual({ seen: ['a', 'b', 'c'] });
  });

  it('when a step calls next(null), then the chain goes on like Express does (cors does this for an unlisted Origin)', async () => {
    const nullNext: RequestHandler = (_req, _res, next) => next(null as never);
    const res = await request(appWith(mark('a'), nullNext, mark('b'), answer)).get('/x').expect(200);
    expect(res.body).toEqual({ seen: ['a', 'b'] });
  });

  it('when a step throws synchronously, then the error handler gets the error and later steps do not run', async () => {
    const later = jest.fn<void, Parameters<RequestHandler>>();
    const throwing: RequestHandler = () => {
      throw new Error('sync boom');
    };
    const res = await request(appWith(mark('a'), throwing, later)).get('/x').expect(500);
    expect(res.body).toEqual({ error: 'sync boom' });
    expect(later).not.toHaveBeenCalled();
  });

  it('when an async step rejects, then the error handler gets the rejection', async () => {
    const rejecting: RequestHandler = async () => {
      await Promise.resolve();
      throw new Error('async boom');
    };
    const res = await request(appWith(mark('a'), rejecting, answer)).get('/x').expect(500);
    expect(res.body).toEqual({ error: 'async boom' });
  });

  it("when a step calls next('route'), then the rest of the chain is skipped and the next route answers", async () => {
    const skip: RequestHandler = (_req, _res, next) => next('route');
    const res = await request(appWith(mark('a'), skip, answer)).get('/x').expect(200);
    expect(res.body).toEqual({ from: 'next route' });
  });
});

describe('bodyParsers', () => {
  const echo = express()
    .use(bodyParsers(testConfig()))
    .post('/echo', (req, res) => void res.json({ body: req.body === undefined ? 'none' : req.body }));

  it('when a request carries no body, then the parsers are skipped and req.body stays undefined', async () => {
    const res = await request(echo).post('/echo').expect(200);
    expect(res.body).toEqual({ body: 'none' });
  });

  it('when a JSON or a form body is sent with a length, then it is parsed', async () => {
    expect((await request(echo).post('/echo').send({ a: 1 })).body).toEqual({ body: { a: 1 } });
    expect((await request(echo).post('/echo').type('form').send('a=1')).body).toEqual({ body: { a: '1' } });
  });

  it('when a body arrives chunked (no Content-Length), then it is parsed', async () => {
    const server = echo.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.write('{"b":');
        req.end('2}');
      });
      expect(JSON.parse(body)).toEqual({ body: { b: 2 } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
