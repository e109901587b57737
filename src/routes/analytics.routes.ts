// Sales analytics for admins, read from the hourly rollups (never from orders).
import { createAnalyticsController } from '../controllers/analytics.controller';
import type { AnalyticsService } from '../services/analytics/analytics.service';
import { lowStockQuery, lowStockResponse, salesQuery, salesResponse, topCategoriesResponse, topProductsResponse, topQuery } from './analytics.schemas';
import { route, type RouteDefinition } from './route-table';

export function analyticsRoutes(analytics: AnalyticsService): RouteDefinition[] {
  const controller = createAnalyticsController(analytics);
  const tags = ['Analytics'];
  return [
    route({
      method: 'get',
      path: '/analytics/sales',
      summary: 'Sales over time in a time zone, totals and the previous period',
      description:
        'Orders, units, gross revenue, refunds, net revenue, average order value and new customers per day/week/month bucket ' +
        '(buckets without sales are omitted), summed from hourly rollups: a sale counts in the hour it was paid, a refund in the hour it happened.',
      tags,
      access: ['admin'],
      validate: { query: salesQuery },
      postman: { query: { interval: 'day', tz: 'Europe/Berlin' } },
      responses: { 200: { description: 'Series, totals and comparison', schema: salesResponse } },
      handler: controller.sales,
    }),
    route({
      method: 'get',
      path: '/analytics/top-products',
      summary: 'Best-selling products by net revenue in a range',
      tags,
      access: ['admin'],
      validate: { query: topQuery },
      postman: { query: { limit: '5' } },
      responses: { 200: { description: 'Products, best first', schema: topProductsResponse } },
      handler: controller.topProducts,
    }),
    route({
      method: 'get',
      path: '/analytics/top-categories',
      summary: 'Best-selling categories by net revenue in a range',
      tags,
      access: ['admin'],
      validate: { query: topQuery },
      postman: { query: { limit: '5' } },
      responses: { 200: { description: 'Categories, best first', schema: topCategoriesResponse } },
      handler: controller.topCategories,
    }),
    route({
      method: 'get',
      path: '/analytics/low-stock',
      summary: 'Active variants with stock below a threshold, lowest first',
      tags,
      access: ['admin'],
      validate: { query: lowStockQuery },
      postman: { query: { threshold: '5' } },
      responses: { 200: { description: 'Variants running low', schema: lowStockResponse } },
      handler: controller.lowStock,
    }),
  ];
}
