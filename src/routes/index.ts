// Every module's route declarations, in mount order. Adding a module is one line here.
import type { Container } from './container.types';
import { accountRoutes } from './account.routes';
import { analyticsRoutes } from './analytics.routes';
import { authRoutes } from './auth.routes';
import { cartRoutes } from './cart.routes';
import { categoryRoutes } from './category.routes';
import { healthRoutes } from './health.routes';
import { inventoryRoutes } from './inventory.routes';
import { jobAdminRoutes } from './job-admin.routes';
import { mediaRoutes } from './media.routes';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi';
import { openApiOptions, opsRoutes } from './ops.routes';
import { orderRoutes } from './order.routes';
import { outboxAdminRoutes } from './outbox-admin.routes';
import { paymentRoutes } from './payment.routes';
import { productRoutes } from './product.routes';
import { reportRoutes } from './report.routes';
import { reviewRoutes } from './review.routes';
import type { RouteDefinition } from './route-table';
import { wishlistRoutes } from './wishlist.routes';

export function collectRoutes(container: Container): RouteDefinition[] {
  const routes: RouteDefinition[] = [
    ...healthRoutes(container.health),
    ...authRoutes(container),
    ...accountRoutes(container.accountService),
    ...productRoutes(container.products),
    ...mediaRoutes(container.media, container.config.media),
    ...categoryRoutes(container.categories),
    ...orderRoutes(container.orders),
    ...reviewRoutes(container.reviews),
    ...wishlistRoutes(container.wishlists),
    ...inventoryRoutes(container.inventory),
    ...reportRoutes(container.reports),
    ...cartRoutes(container.cart, container.checkout),
    // The confirm step exists only with the simulated provider, never in production.
    ...paymentRoutes(container.payments, { devRoutes: !container.config.isProduction && container.config.payments.provider === 'simulated' }),
    ...jobAdminRoutes(container.jobAdmin),
    ...outboxAdminRoutes(container.outboxAdmin),
    ...analyticsRoutes(container.analytics),
  ];
  // Ops routes come last: the document they serve is built from the finished list, themselves included.
  let document: OpenApiDocument | undefined;
  const openApiDocument = () => (document ??= buildOpenApiDocument(routes, openApiOptions(container.config)));
  routes.push(...opsRoutes({ config: container.config, metrics: container.metrics, openApiDocument }));
  return routes;
}
