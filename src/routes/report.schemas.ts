// Joi schemas for daily sales reports: the day in the path, the CSV kind, the listing and the view.
import Joi from 'joi';
import type { ReportDayParams, ReportDownloadQuery } from '../controllers/report.controller';
import { REPORT_FILE_KINDS } from '../models/Report';
import type { PageQuery } from '../services/listing/listing';
import { REPORT_SORT } from '../services/reports/report.service';
import { isCalendarDay } from '../utils/zoned-day';
import { LISTING_EXCLUSIONS, listingKeys } from './listing.schemas';

export const reportDayParams: Joi.ObjectSchema<ReportDayParams> = Joi.object({
  day: Joi.string()
    .pattern(/^\d{4}-\d{2}-\d{2}$/)
    .custom((value: string, helpers) => (isCalendarDay(value) ? value : helpers.error('date.calendar')))
    .messages({ 'string.pattern.base': 'day must be a date, YYYY-MM-DD', 'date.calendar': 'day must be a real calendar date' })
    // The pattern admits 2026-02-30; `format: date` (RFC 3339 full-date) says it must be a real one.
    .meta({ openapi: { format: 'date' } })
    .required()
    .description('The report day, YYYY-MM-DD, in the report time zone (REPORTS_TZ)')
    .example('2026-01-01'),
});

export const reportDownloadQuery: Joi.ObjectSchema<ReportDownloadQuery> = Joi.object({
  kind: Joi.string()
    .valid(...REPORT_FILE_KINDS)
    .default('orders')
    .description('`orders` (default): one row per counted order change; `products`: units and revenue per product SKU'),
});

export const listReportsQuery: Joi.ObjectSchema<PageQuery> = Joi.object({ ...listingKeys(REPORT_SORT) }).meta(LISTING_EXCLUSIONS);

const money = () => Joi.number().description('Currency units (2 decimals)');
const file = Joi.object({
  rows: Joi.number().integer().min(0).required(),
  bytes: Joi.number().integer().min(0).required(),
  url: Joi.string().required().description('Download path'),
});

export const reportView = Joi.object({
  day: Joi.string().required(),
  timeZone: Joi.string().required(),
  from: Joi.string().isoDate().required().description('Start of the day (local midnight) as an instant'),
  to: Joi.string().isoDate().required().description('End of the day (exclusive)'),
  createdAt: Joi.string().isoDate().required(),
  summary: Joi.object({
    orders: Joi.number().integer().min(0).required().description('Orders that became paid in the day'),
    units: Joi.number().integer().min(0).required(),
    gross: money().required(),
    refundedOrders: Joi.number().integer().min(0).required().description('Orders with a refund in the day: a refund record (partial, full or a return), or a paid order refunded in full or cancelled'),
    refunds: money().required().description('Money out in the day, as GET /analytics/sales counts it: every refund record, plus what a full refund or cancel after paid takes beyond its records'),
    net: money().required().description('gross − refunds (equals GET /analytics/sales netRevenue for the same day and time zone)'),
    averageOrderValue: money().required().description('gross / orders'),
    newCustomers: Joi.number().integer().min(0).required().description('Accounts whose first paid order was paid in the day'),
    currency: Joi.string().allow(null).required(),
  }).required(),
  files: Joi.object({ orders: file.required(), products: file.required() }).required(),
});
