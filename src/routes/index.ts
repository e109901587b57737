// Every module's route declarations, in mount order. Adding a module is one line here.
import type { Container } from '../loaders/container';
import { healthRoutes } from './health.routes';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi';
import { openApiOptions, opsRoutes } from './ops.routes';
import type { RouteDefinition } from './route-table';

export function collectRoutes(container: Container): RouteDefinition[] {
  const routes: RouteDefinition[] = [...healthRoutes(container.health)];
  // Ops routes come last: the document they serve is built from the finished list, themselves included.
  let document: OpenApiDocument | undefined;
  const openApiDocument = () => (document ??= buildOpenApiDocument(routes, openApiOptions(container.config)));
  routes.push(...opsRoutes({ config: container.config, metrics: container.metrics, openApiDocument }));
  return routes;
}
