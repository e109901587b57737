// Daily sales reports end to end, in process: orders seeded around a Berlin day's edges → the build
// (GridFS CSVs + report + outbox event in one transaction) → the relay's fan-out to every admin →
// the email processor opening the CSV attachments; then the admin API: list, both downloads, and
// the 401/403/400/404 answers in the error contract.
import { Readable } from 'node:stream';
import { Types } from 'mongoose';
import request from 'supertest';
import { createEmailProcessor } from '../../src/jobs/email/processor';
import { reportAttachments } from '../../src/jobs/email/report-attachments';
import type { Mailer, OutgoingEmail } from '../../src/jobs/email/mailer';
import { createServices } from '../../src/loaders/container';
import { maintenanceTasks } from '../../src/loaders/maintenance';
import { createReportRepository } from '../../src/repositories/report.repository';
import { DAILY_REPORT_TASK } from '../../src/services/reports/report.service';
import { previousDay } from '../../src/utils/zoned-day';
import { Order, OutboxEvent, Report } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import type { RecordingEmailQueue } from '../support/fakes';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { ADDRESS } from './orders.fixture';
import mongoose from 'mongoose';

useTestDatabase();

const TZ = 'Europe/Berlin';
// 2026-03-10 in Berlin (UTC+1) is [2026-03-09T23:00Z, 2026-03-10T23:00Z).
const DAY = '2026-03-10';
const WIDGET = { product: new Types.ObjectId(), name: 'Widget', sku: 'W-1', unitPriceMinor: 1000 };
const GADGET = { product: new Types.ObjectId(), name: '=Gadget', sku: 'G-1', unitPriceMinor: 550 };
const BOLT = { product: new Types.ObjectId(), name: 'Bolt', sku: 'B-1', unitPriceMinor: 100 };

type Line = [typeof WIDGET, number];

function order(account: Types.ObjectId, lines: Line[], history: [string, string][]) {
  const items = lines.map(([p, quantity]) => ({ ...p, quantity, lineTotalMinor: p.unitPriceMinor * quantity }));
  const total = items.reduce((s, i) => s + i.lineTotalMinor, 0);
  const statusHistory = [['pending', history[0][1]] as [string, string], ...history].map(([status, at]) => ({ status, at: new Date(at), by: null }));
  return {
    _id: new Types.ObjectId(),
    account,
    items,
    subtotalMinor: total,
    totalMinor: total,
    currency: 'EUR',
    status: statusHistory.at(-1)!.status,
    statusHistory,
    shippingAddress: ADDRESS,
    version: statusHistory.length,
    createdAt: statusHistory[0].at,
    updatedAt: statusHistory.at(-1)!.at,
  };
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

describe('daily sales reports', () => {
  let ctx: TestContext;
  let admins: TestCaller[];
  let customer: TestCaller;
  const api = () => request(ctx.app);
  const returning = new Types.ObjectId();
  const fresh = new Types.ObjectId();
  const another = new Types.ObjectId();

  beforeAll(async () => {
    ctx = await createTestContext({ env: { REPORTS_TZ: TZ } });
    admins = await Promise.all([callerWithRole(ctx, 'admin'), callerWithRole(ctx, 'admin')]);
    customer = await callerWithRole(ctx, 'customer');
    await Order.collection.insertMany([
      // 00:30 Berlin on the day (still the 9th in UTC): a sale.
      order(returning, [[WIDGET, 2]], [['paid', '2026-03-09T23:30:00Z'], ['shipped', '2026-03-10T08:00:00Z']]),
      // 23:59 Berlin: a sale, of a first-time buyer.
      order(fresh, [[GADGET, 1]], [['paid', '2026-03-10T22:59:00Z']]),
      // Midnight Berlin of the next day, and 23:59 Berlin of the day before: not this day.
      order(fresh, [[WIDGET, 5]], [['paid', '2026-03-10T23:00:00Z']]),
      order(another, [[WIDGET, 7]], [['paid', '2026-03-09T22:59:00Z']]),
      // Paid two days before, cancelled on the day: a refund (and its account is not new).
      order(returning, [[BOLT, 3]], [['paid', '2026-03-08T10:00:00Z'], ['cancelled', '2026-03-10T10:00:00Z']]),
      // Never paid, cancelled on the day: nothing.
      order(another, [[WIDGET, 9]], [['cancelled', '2026-03-10T11:00:00Z']]),
      // Paid and cancelled on the day: a sale and a refund.
      order(another, [[WIDGET, 1]], [['paid', '2026-03-10T12:00:00Z'], ['cancelled', '2026-03-10T13:00:00Z']]),
    ]);
  });
  afterAll(async () => ctx.close());

  const reportEvents = () => OutboxEvent.find({ type: 'report-daily-ready' }).lean();
  const reportEmails = () => (ctx.emailQueue as RecordingEmailQueue).sent.filter((e) => e.kind === 'daily-report');

  it('when a Berlin day is built, then only its changes count: sales, refunds, net and new customers', async () => {
    // New customers: only `fresh` — `returning` paid on the 8th, `another` at 23:59 Berlin on the 9th.
    expect(await ctx.container.reports.build(DAY)).toEqual({ day: DAY, built: true, orders: 3 });

    const res = await api().get('/api/v1/reports').set(admins[0].headers);
    expectSuccess(res);
    expect(res.body.data).toEqual([
      expect.objectContaining({
        day: DAY,
        timeZone: TZ,
        from: '2026-03-09T23:00:00.000Z',
        to: '2026-03-10T23:00:00.000Z',
        summary: { orders: 3, units: 4, gross: 35.5, refundedOrders: 2, refunds: 13, net: 22.5, averageOrderValue: 11.83, newCustomers: 1, currency: 'EUR' },
        files: { orders: expect.objectContaining({ rows: 5, url: `/api/v1/reports/${DAY}.csv` }), products: expect.objectContaining({ rows: 3 }) },
      }),
    ]);
    expect(res.body.meta).toMatchObject({ pagination: 'offset', total: 1 });
  });

  it('when the build runs again, concurrently or in sequence, then one report, one event and one email per admin', async () => {
    const again = await Promise.all([ctx.container.reports.build(DAY), ctx.container.reports.build(DAY)]);
    expect(again).toEqual([{ day: DAY, built: false }, { day: DAY, built: false }]);
    expect(await mongoose.connection.collection('reports').countDocuments({ day: DAY })).toBe(1);
    expect(await mongoose.connection.collection('report_files.files').countDocuments({ 'metadata.day': DAY })).toBe(2);

    await ctx.deliverOutbox();
    await ctx.deliverOutbox();
    const events = await reportEvents();
    expect(events.map((e) => e._id)).toEqual([`report-daily-ready:${DAY}`]);
    const emails = reportEmails().filter((e) => e.jobId.startsWith(`daily-report:${DAY}:`));
    expect(emails.map((e) => e.jobId).sort()).toEqual(admins.map((a) => `daily-report:${DAY}:${a.accountId}`).sort());
    expect(emails[0].data).toMatchObject({ day: DAY, timeZone: TZ, summary: expect.objectContaining({ orders: 3, net: 22.5 }) });
    expect(emails[0].data.attachments).toEqual([
      expect.objectContaining({ filename: `sales-${DAY}-orders.csv`, contentType: 'text/csv' }),
      expect.objectContaining({ filename: `sales-${DAY}-products.csv`, contentType: 'text/csv' }),
    ]);
  });

  it('when the worker sends a report email, then both CSVs are attached from storage', async () => {
    const sent: OutgoingEmail[] = [];
    const mailer: Mailer = {
      async send(email) {
        sent.push({ ...email, attachments: await Promise.all((email.attachments ?? []).map(async (a) => ({ ...a, content: await text(a.content as Readable) }))) });
        return { messageId: `<m${sent.length}@test>` };
      },
      async close() {},
    };
    const processor = createEmailProcessor({ mailer, config: ctx.config, openAttachment: reportAttachments(createReportRepository(Report, mongoose.connection)) });
    const email = reportEmails()[0];
    await processor({ jobId: email.jobId, data: { kind: email.kind, to: email.to, data: email.data }, attempt: 1, attempts: 1 });

    expect(sent).toHaveLength(1);
    expect(sent[0].subject).toBe(`Sales report ${DAY}: 3 orders, 22.50 EUR net`);
    const [orders, products] = sent[0].attachments!;
    expect(orders.filename).toBe(`sales-${DAY}-orders.csv`);
    expect(String(orders.content).trim().split('\n')).toHaveLength(6);
    expect(String(products.content)).toContain("G-1,");
    expect(String(products.content)).toContain("'=Gadget");
  });

  it('when the scheduled task runs twice for the same day, then it builds one report and records one event', async () => {
    // The worker's objects: its own services from the composition root, as loaders/worker.ts builds them.
    const worker = createServices({ config: ctx.config, redis: null, emailQueue: ctx.emailQueue, mongo: mongoose.connection });
    const task = maintenanceTasks(ctx.config, worker).find((t) => t.name === DAILY_REPORT_TASK)!;
    expect(task).toMatchObject({ cron: { cron: '15 0 * * *', tz: TZ } });
    const yesterday = previousDay(new Date(), TZ);
    const runs = [await task.handler(), await task.handler()];
    expect(runs).toEqual([{ day: yesterday, built: true, orders: 0 }, { day: yesterday, built: false }]);
    expect(await OutboxEvent.countDocuments({ _id: `report-daily-ready:${yesterday}` })).toBe(1);
    await ctx.deliverOutbox();
    expect(reportEmails().filter((e) => e.jobId.startsWith(`daily-report:${yesterday}:`))).toHaveLength(admins.length);
  });

  it('when an operator rebuilds a stored day with replace, then one report with new files, emailed again as a new event', async () => {
    const before = (await Report.findOne({ day: DAY }).lean())!;
    expect(await ctx.container.reports.build(DAY, { replace: true })).toEqual({ day: DAY, built: true, orders: 3 });
    const after = await Report.find({ day: DAY }).lean();
    expect(after).toHaveLength(1);
    expect(after[0].buildId.equals(before.buildId)).toBe(false);
    const files = await mongoose.connection.collection('report_files.files').find({ 'metadata.day': DAY }).toArray();
    expect(files.map((f) => String(f.metadata?.buildId))).toEqual([String(after[0].buildId), String(after[0].buildId)]);
    await ctx.deliverOutbox();
    const resent = reportEmails().filter((e) => e.jobId.startsWith(`daily-report:${DAY}:${after[0].buildId}:`));
    expect(resent).toHaveLength(admins.length);
  });

  it('when the day is not over yet in the report zone, then nothing is built (409 REPORT_DAY_NOT_OVER)', async () => {
    const today = previousDay(new Date(Date.now() + 2 * 86_400_000), TZ);
    await expect(ctx.container.reports.build(today)).rejects.toMatchObject({ status: 409, code: 'REPORT_DAY_NOT_OVER' });
    expect(await Report.countDocuments({ day: today })).toBe(0);
  });

  describe('GET /api/v1/reports/:day.csv', () => {
    it('when an admin downloads the orders CSV, then it streams as an attachment, one row per counted change', async () => {
      const res = await api().get(`/api/v1/reports/${DAY}.csv`).set(admins[0].headers).buffer(true);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="sales-${DAY}-orders.csv"`);
      const lines = res.text.trim().split('\n');
      expect(lines[0]).toBe('orderId,counted,at,localTime,status,accountId,units,amount,currency,placedAt,refundId');
      expect(lines.slice(1).map((l) => l.split(',')[1]).sort()).toEqual(['refund', 'refund', 'sale', 'sale', 'sale']);
      // Refunds are negative: the column sums to the net revenue.
      expect(lines.slice(1).reduce((sum, l) => sum + Number(l.split(',')[7]), 0)).toBeCloseTo(22.5, 2);
      expect(lines.some((l) => l.includes(',2026-03-10 00:30:00,'))).toBe(true);
    });

    it('when an admin asks for kind=products, then units and revenue per SKU', async () => {
      const res = await api().get(`/api/v1/reports/${DAY}.csv?kind=products`).set(admins[0].headers).buffer(true);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="sales-${DAY}-products.csv"`);
      expect(res.text.trim().split('\n')).toEqual([
        'sku,productId,name,unitsSold,gross,unitsRefunded,refunds,netUnits,net,currency',
        `W-1,${WIDGET.product},Widget,3,30.00,1,10.00,2,20.00,EUR`,
        `G-1,${GADGET.product},'=Gadget,1,5.50,0,0.00,1,5.50,EUR`,
        `B-1,${BOLT.product},Bolt,0,0.00,3,3.00,-3,-3.00,EUR`,
      ]);
    });

    it('when a customer asks, then 403; when nobody signed in, then 401', async () => {
      expectErrorContract(await api().get(`/api/v1/reports/${DAY}.csv`).set(customer.headers), 403);
      expectErrorContract(await api().get(`/api/v1/reports/${DAY}.csv`), 401);
      expectErrorContract(await api().get('/api/v1/reports').set(customer.headers), 403);
      expectErrorContract(await api().get('/api/v1/reports'), 401);
    });

    it('when the day is malformed or not a date, then 400; when no report exists, then 404 REPORT_NOT_FOUND', async () => {
      for (const bad of ['2026-3-10', 'yesterday', '2026-02-30']) {
        const res = await api().get(`/api/v1/reports/${bad}.csv`).set(admins[0].headers);
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details[0]).toMatchObject({ location: 'params', path: 'day' });
      }
      expectErrorContract(await api().get(`/api/v1/reports/${DAY}.csv?kind=everything`).set(admins[0].headers), 400, 'VALIDATION_FAILED');
      expectErrorContract(await api().get('/api/v1/reports/2020-01-01.csv').set(admins[0].headers), 404, 'REPORT_NOT_FOUND');
    });
  });
});
