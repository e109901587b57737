// Every module's route declarations, in mount order. Adding a module is one line here.
import type { Container } from '../loaders/container';
import { accountRoutes } from './account.routes';
import { authRoutes } from './auth.routes';
import { healthRoutes } from './health.routes';
import { jobAdminRoutes } from './job-admin.routes';
import { orderRoutes } from './order.routes';
import { productRoutes } from './product.routes';
import type { RouteDefinition } from './route-table';

export function collectRoutes(container: Container): RouteDefinition[] {
  return [
    ...healthRoutes(container.health),
    ...authRoutes(container),
    ...accountRoutes(container.accountService),
    ...productRoutes(container.products),
    ...orderRoutes(container.orders),
    ...jobAdminRoutes(container.jobAdmin),
  ];
}
