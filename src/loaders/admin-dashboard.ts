// The admin dashboard at /admin: static HTML, JS and CSS from public/admin plus Chart.js from
// node_modules — assets, not API endpoints, so (like Swagger UI at /docs) they are mounted with
// router.use outside the route table and stay out of "Routes mounted"; the data comes from the
// declared /api/v1/analytics and /admin/jobs endpoints. Served under a stricter CSP than the global
// one: no inline scripts and no inline styles (the global policy allows inline styles for Swagger UI).
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import path from 'node:path';

export const ADMIN_PATH = '/admin';

/** From src/loaders and dist/loaders alike, the project root is two levels up. */
const ASSETS_DIR = path.resolve(__dirname, '..', '..', 'public', 'admin');
const CHART_JS = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');

export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const isRead = (req: Request) => req.method === 'GET' || req.method === 'HEAD';

export function adminDashboardRouter(): Router {
  const router = Router();
  const strictCsp = (req: Request, res: Response, next: NextFunction) => {
    if (isRead(req)) res.setHeader('Content-Security-Policy', ADMIN_CSP);
    next();
  };
  router.use(`${ADMIN_PATH}/vendor/chart.umd.js`, strictCsp, (req: Request, res: Response, next: NextFunction) => {
    if (!isRead(req) || req.path !== '/') return next();
    res.sendFile(CHART_JS, { maxAge: '1d' });
  });
  // The page's assets are addressed absolutely (/admin/app.js), so /admin is served as it is, no redirect.
  const page = (req: Request, res: Response, next: NextFunction) => {
    if (!isRead(req) || req.originalUrl.split('?')[0] !== ADMIN_PATH) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(ASSETS_DIR, 'index.html'));
  };
  router.use(ADMIN_PATH, strictCsp, page, express.static(ASSETS_DIR, { index: 'index.html', redirect: false, fallthrough: true, maxAge: 0 }));
  return router;
}
