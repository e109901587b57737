// One access-log record per request, written when the response finishes.
import type { RequestHandler } from 'express';
import { logger } from '../utils/logger';

export const requestLogger: RequestHandler = (req, res, next) => {
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    // 'finish' fires outside the request's async context, so the id is passed explicitly.
    logger.info('request completed', {
      requestId: req.requestId,
      method: req.method,
      path: req.originalUrl.split('?')[0],
      route: req.route?.path,
      status: res.statusCode,
      durationMs: Math.round(durationMs * 10) / 10,
      ip: req.ip,
    });
  });
  next();
};
