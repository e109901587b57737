// Daily sales reports (admin): the stored reports, and each report's two CSVs as downloads. The
// worker builds them (services/reports); nothing here builds or changes a report.
import Joi from 'joi';
import { createReportController } from '../controllers/report.controller';
import type { ReportService } from '../services/reports/report.service';
import { ORDER_COLUMNS, PRODUCT_COLUMNS } from '../services/reports/tally';
import { listReportsQuery, reportDayParams, reportDownloadQuery, reportView } from './report.schemas';
import { route, type RouteDefinition } from './route-table';

export function reportRoutes(reports: ReportService): RouteDefinition[] {
  const controller = createReportController(reports);
  const tags = ['Reports'];
  return [
    route({
      method: 'get',
      path: '/reports',
      summary: 'List the daily sales reports (newest day first)',
      description: 'One report per day, built by the worker after the day ends in REPORTS_TZ and emailed to admins. Listing grammar as everywhere (`sort=day|createdAt`, offset or cursor pages).',
      tags,
      access: ['admin'],
      validate: { query: listReportsQuery },
      responses: { 200: { description: 'A page of reports; meta holds total (offset) or nextCursor (cursor)', schema: Joi.array().items(reportView) } },
      handler: controller.list,
    }),
    route({
      method: 'get',
      path: '/reports/:day.csv',
      summary: "A day's report as CSV: its orders (default) or its product sales (`?kind=products`), streamed",
      description: [
        `\`kind=orders\`: ${ORDER_COLUMNS.join(', ')} — one row per counted movement, counted as GET /analytics/sales counts it: a sale when the order became paid; a refund per refund record (partial, full, or a return of a shipped/delivered order; \`units\` 0, \`refundId\` the provider's refund id); a refund when a paid order is refunded in full or cancelled (its units out, \`amount\` only what its refund records did not take, often 0.00; \`refundId\` empty). \`amount\` is negative for refunds, so it sums to the net.`,
        `\`kind=products\`: ${PRODUCT_COLUMNS.join(', ')}.`,
        'Streamed from storage; the same files the admins received by email.',
      ].join(' '),
      tags,
      access: ['admin'],
      validate: { params: reportDayParams, query: reportDownloadQuery },
      responses: {
        200: {
          description: 'CSV attachment',
          contentType: 'text/csv; charset=utf-8',
          schema: Joi.string(),
          example: `${ORDER_COLUMNS.join(',')}\n665f1c2b9a1e4c0012345678,sale,2026-01-01T09:30:00.000Z,2026-01-01 09:30:00,paid,665f1c2b9a1e4c0012345679,2,21.98,USD,2026-01-01T09:29:12.000Z,\n665f1c2b9a1e4c0012345670,refund,2026-01-01T11:05:00.000Z,2026-01-01 11:05:00,delivered,665f1c2b9a1e4c0012345671,0,-5.00,USD,2025-12-28T16:40:03.000Z,re_3QhZ2k\n`,
        },
        404: { description: 'REPORT_NOT_FOUND: no report for that day (not built yet, or before reports existed)', code: 'REPORT_NOT_FOUND' },
      },
      postman: { expectStatus: 404, expectCode: 'REPORT_NOT_FOUND' },
      handler: controller.download,
    }),
  ];
}
