// Swagger UI at /docs over the route-table endpoint /docs/openapi.json. The UI is static assets
// plus one generated init script, all from our own origin, so it runs under the global Helmet CSP
// (script-src 'self'; inline styles are allowed for it in security.ts) with no exception.
import { Router, type Request, type Response, type NextFunction } from 'express';
import swaggerUi from 'swagger-ui-express';
import { OPENAPI_JSON_PATH } from '../routes/ops.routes';

export const DOCS_PATH = '/docs';

export function swaggerUiRouter(): Router {
  const router = Router();
  const uiOptions = {
    customSiteTitle: 'commerce-api — API reference',
    swaggerOptions: {
      url: OPENAPI_JSON_PATH,
      // The public validator badge would call validator.swagger.io (blocked by the CSP, and a leak).
      validatorUrl: null,
      persistAuthorization: false,
      displayRequestDuration: true,
      tryItOutEnabled: false,
    },
  };
  // The page loads its assets relative to itself, so it must be served with a trailing slash.
  // (router.use, not router.get: these are assets, not endpoints, and stay out of "Routes mounted".)
  const withTrailingSlash = (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' && req.originalUrl.split('?')[0] === DOCS_PATH) return res.redirect(301, `${DOCS_PATH}/`);
    next();
  };
  router.use(DOCS_PATH, withTrailingSlash, swaggerUi.serveFiles(undefined, uiOptions), swaggerUi.setup(undefined, uiOptions));
  return router;
}
