// Bull-board at /admin/queues for admins. A browser cannot send our Bearer header, so an admin
// asks the API for a one-minute signed link (POST /api/v1/admin/jobs/dashboard-link); opening it
// swaps the ticket for a short HttpOnly session cookie scoped to this path and drops the ticket
// from the URL. Tickets and sessions have their own audience: neither works as an access token.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AppConfig } from '../config';
import { UnauthorizedError } from '../utils/errors';
import { logger } from '../utils/logger';

export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_COOKIE = 'queue_dashboard_session';
const TICKET_TTL_SECONDS = 60;
const SESSION_TTL_SECONDS = 15 * 60;

type Purpose = 'ticket' | 'session';

export interface DashboardTickets {
  /** A link an admin opens in a browser within a minute. */
  issueLink(adminId: string): { url: string; expiresAt: string };
  verify(token: string, purpose: Purpose): { adminId: string } | null;
  sign(adminId: string, purpose: Purpose): string;
}

export function createDashboardTickets(config: AppConfig): DashboardTickets {
  const { jwtIssuer, jwtAudience } = config.auth;
  // A KeyObject made once (a string secret makes jsonwebtoken try a public-key parse on every call).
  const jwtSecret = createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8'));
  const audience = `${jwtAudience}:queue-dashboard`;
  const sign = (adminId: string, purpose: Purpose) =>
    jwt.sign({ purpose }, jwtSecret, {
      algorithm: 'HS256',
      issuer: jwtIssuer,
      audience,
      subject: adminId,
      expiresIn: purpose === 'ticket' ? TICKET_TTL_SECONDS : SESSION_TTL_SECONDS,
    });
  return {
    sign,
    issueLink(adminId) {
      const ticket = sign(adminId, 'ticket');
      return {
        url: `${config.http.publicUrl}${DASHBOARD_PATH}?ticket=${encodeURIComponent(ticket)}`,
        expiresAt: new Date(Date.now() + TICKET_TTL_SECONDS * 1000).toISOString(),
      };
    },
    verify(token, purpose) {
      try {
        const claims = jwt.verify(token, jwtSecret, { algorithms: ['HS256'], issuer: jwtIssuer, audience }) as jwt.JwtPayload;
        return claims.purpose === purpose && typeof claims.sub === 'string' ? { adminId: claims.sub } : null;
      } catch {
        return null;
      }
    },
  };
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** Lets a request through only with a valid session cookie; turns a valid ticket into one. */
export function dashboardGate(config: AppConfig, tickets: DashboardTickets): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const ticket = typeof req.query.ticket === 'string' ? req.query.ticket : undefined;
    if (ticket) {
      const claims = tickets.verify(ticket, 'ticket');
      if (!claims) throw new UnauthorizedError('The dashboard link is invalid or has expired; ask for a new one', 'DASHBOARD_TICKET_INVALID');
      res.cookie(DASHBOARD_COOKIE, tickets.sign(claims.adminId, 'session'), {
        httpOnly: true,
        sameSite: 'strict',
        secure: config.auth.cookieSecure,
        path: DASHBOARD_PATH,
        maxAge: SESSION_TTL_SECONDS * 1000,
      });
      logger.info('queue dashboard session opened', { adminId: claims.adminId });
      res.redirect(303, `${DASHBOARD_PATH}/`);
      return;
    }
    const session = cookieValue(req, DASHBOARD_COOKIE);
    if (!session || !tickets.verify(session, 'session')) {
      throw new UnauthorizedError('Open the dashboard through a link from POST /api/v1/admin/jobs/dashboard-link', 'DASHBOARD_SESSION_REQUIRED');
    }
    // Bull-board's page loads only its own scripts; its web fonts come from Google, which we do not allow.
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

/** The gate plus bull-board's router, to mount at DASHBOARD_PATH. */
export function queueDashboard(config: AppConfig, tickets: DashboardTickets, queues: readonly Queue[]): RequestHandler[] {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    // @bull-board/express carries its own patch release of @bull-board/api; the classes are
    // structurally the same but TypeScript sees two declarations of a private field.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: config.serviceName } },
  });
  return [dashboardGate(config, tickets), serverAdapter.getRouter() as RequestHandler];
}
