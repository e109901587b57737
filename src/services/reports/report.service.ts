// Daily sales reports: build a day's report once (summary + orders CSV + product-sales CSV, stored,
// then emailed to admins through the outbox), list the stored reports and stream their CSVs.
// Idempotent per day: the unique `day` on `reports` is the commit point, written in one transaction
// with the `report-daily-ready:<day>` event, so a retry or a second tick never stores or sends twice.
import { Readable } from 'node:stream';
import { Types } from 'mongoose';
import { stringify } from 'csv-stringify';
import type { AttachmentRef } from '../../jobs/email/types';
import { REPORT_FILE_KINDS, type ReportFileKind } from '../../models/Report';
import { DuplicateKeyError } from '../../repositories/errors';
import type { OrderRepository } from '../../repositories/order.repository';
import type { NewReport, ReportRecord, ReportRepository } from '../../repositories/report.repository';
import { ConflictError, NotFoundError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { dayWindow, previousDay, type DayWindow } from '../../utils/zoned-day';
import { fetchPage, planList, type PageMeta, type PageQuery, type SortSpec } from '../listing/listing';
import type { DomainEvent, Outbox } from '../outbox/outbox.service';
import { COUNTED_STATUSES, SALE_STATUS } from './sales-rule';
import { createTally, ORDER_COLUMNS, orderCsvRecord, PRODUCT_COLUMNS, productCsvRecord, type Tally } from './tally';
import { reportView, type ReportView } from './view';

/** The maintenance task (BullMQ job scheduler) that builds yesterday's report. */
export const DAILY_REPORT_TASK = 'daily-sales-report';
/** Larger files are linked in the email, not attached: mail providers refuse messages of ~10–25 MB. */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export const REPORT_SORT: SortSpec = {
  defaultSort: 'day:desc',
  fields: {
    day: { storage: 'day', type: 'string' },
    createdAt: { storage: 'createdAt', type: 'date' },
  },
};

export interface ReportServiceDeps {
  readonly reports: Pick<ReportRepository, 'exists' | 'findByDay' | 'findPage' | 'count' | 'insert' | 'deleteByDay' | 'writeFile' | 'openFile' | 'deleteFiles'>;
  readonly orders: Pick<OrderRepository, 'changedIn' | 'accountsWithStatusBefore'>;
  readonly outbox: Outbox;
  /** The zone of the report's days (REPORTS_TZ). */
  readonly timeZone: string;
  readonly cursorSecret: string;
  readonly now?: () => Date;
}

export interface BuildOutcome {
  readonly day: string;
  /** False when the day's report already existed (or another builder stored it first). */
  readonly built: boolean;
  readonly orders?: number;
}

const filenameOf = (day: string, kind: ReportFileKind) => `sales-${day}-${kind}.csv`;

/** CSV from records, streamed; a failing source fails the CSV stream too. */
function csvOf(records: AsyncIterable<string[]> | Iterable<string[]>, columns: readonly string[]): Readable {
  const rows = Readable.from(records);
  const csv = stringify({ header: true, columns: [...columns] });
  rows.on('error', (err) => csv.destroy(err));
  return rows.pipe(csv);
}

export function createReportService(deps: ReportServiceDeps) {
  const { reports, orders, outbox, timeZone } = deps;
  const now = deps.now ?? (() => new Date());

  /** The day's counted orders as CSV records, read from a cursor (a busy day never sits in memory). */
  async function* orderRecords(window: DayWindow, tally: Tally, counter: { rows: number }): AsyncGenerator<string[]> {
    for await (const order of orders.changedIn(window.from, window.to, COUNTED_STATUSES)) {
      for (const row of tally.rowsOf(order)) {
        counter.rows += 1;
        yield orderCsvRecord(row, window.timeZone);
      }
    }
  }

  /** `report-daily-ready:<day>`; a replacement build (operator) is a new fact: `…:<day>:<buildId>`. */
  function readyEvent(report: NewReport, replacement: boolean): DomainEvent {
    const attachments: AttachmentRef[] = REPORT_FILE_KINDS.filter((kind) => report.files[kind].bytes <= MAX_ATTACHMENT_BYTES).map((kind) => ({
      filename: report.files[kind].filename,
      contentType: 'text/csv',
      fileId: report.files[kind].fileId.toString(),
    }));
    const { summary } = reportView({ ...report, _id: new Types.ObjectId(), createdAt: now() });
    const id = replacement ? `report-daily-ready:${report.day}:${report.buildId.toString()}` : `report-daily-ready:${report.day}`;
    return { id, type: 'report-daily-ready', aggregateId: `report:${report.day}`, payload: { day: report.day, timeZone: report.timeZone, summary, attachments } };
  }

  async function writeReport(window: DayWindow, buildId: Types.ObjectId): Promise<NewReport> {
    const { day } = window;
    const tally = createTally(window);
    const counted = { rows: 0 };
    const ordersFile = await reports.writeFile(filenameOf(day, 'orders'), { day, kind: 'orders', buildId }, csvOf(orderRecords(window, tally, counted), ORDER_COLUMNS));
    const buyers = tally.buyers();
    const returning = await orders.accountsWithStatusBefore(buyers, SALE_STATUS, window.from);
    const currencies = tally.currencies();
    // The shop sells in one currency; amounts are summed without conversion (as in analytics).
    if (currencies.length > 1) logger.warn('sales report mixes currencies; amounts are summed as they are', { day, currencies });
    const currency = currencies[0] ?? null;
    const lines = tally.productLines();
    const productsFile = await reports.writeFile(filenameOf(day, 'products'), { day, kind: 'products', buildId }, csvOf(lines.map((line) => productCsvRecord(line, currency)), PRODUCT_COLUMNS));
    return {
      day,
      timeZone: window.timeZone,
      from: window.from,
      to: window.to,
      currency,
      summary: tally.summary(buyers.length - returning.length),
      files: {
        orders: { fileId: ordersFile.fileId, filename: filenameOf(day, 'orders'), bytes: ordersFile.bytes, rows: counted.rows },
        products: { fileId: productsFile.fileId, filename: filenameOf(day, 'products'), bytes: productsFile.bytes, rows: lines.length },
      },
      buildId,
    };
  }

  /**
   * Builds `day` unless it is stored already. `replace` (the operator script, after a data fix)
   * drops the stored report first and emails the new one as a new event.
   */
  async function build(day: string, options: { replace?: boolean } = {}): Promise<BuildOutcome> {
    const window = dayWindow(day, timeZone);
    if (window.to > now()) throw new ConflictError(`${day} is not over yet in ${timeZone}`, 'REPORT_DAY_NOT_OVER');
    if (options.replace) {
      if (await reports.deleteByDay(day)) logger.warn('stored sales report dropped to be rebuilt', { day });
    } else if (await reports.exists(day)) {
      return { day, built: false };
    }
    // Files first (outside any transaction: GridFS streams), then the report and its event in one
    // transaction. Files of a build that loses the race or fails are removed by their build id.
    const buildId = new Types.ObjectId();
    let report: NewReport;
    try {
      report = await writeReport(window, buildId);
      await outbox.withEvents(async ({ session, emit }) => {
        await reports.insert(report, session);
        emit(readyEvent(report, options.replace === true));
      });
    } catch (err) {
      await reports.deleteFiles(day, { only: buildId }).catch((cleanup: Error) => logger.warn('report files of a failed build not removed', { day, error: cleanup.message }));
      if (err instanceof DuplicateKeyError) return { day, built: false };
      throw err;
    }
    // Leftovers of an earlier build of this day that died before storing its report.
    await reports.deleteFiles(day, { except: buildId }).catch((cleanup: Error) => logger.warn('stale report files not removed', { day, error: cleanup.message }));
    logger.info('daily sales report stored', { day, timeZone, orders: report.summary.orders, netMinor: report.summary.netMinor, rows: report.files.orders.rows });
    return { day, built: true, orders: report.summary.orders };
  }

  return {
    build,

    /** The scheduler's run: yesterday in the report zone (built once, however often this runs). */
    buildPrevious(): Promise<BuildOutcome> {
      return build(previousDay(now(), timeZone));
    },

    async list(query: PageQuery): Promise<{ data: ReportView[]; meta: PageMeta }> {
      const plan = planList(query, REPORT_SORT, deps.cursorSecret);
      const { rows, meta } = await fetchPage<ReportRecord>(plan, REPORT_SORT, deps.cursorSecret, {
        fetch: (skip, limit) => reports.findPage({ sort: plan.sort as Record<string, 1 | -1>, after: plan.after, skip, limit }),
        count: () => reports.count(),
      });
      return { data: rows.map(reportView), meta };
    },

    /** One of a day's CSVs, streamed from storage. */
    async download(day: string, kind: ReportFileKind): Promise<{ filename: string; csv: Readable }> {
      const report = await reports.findByDay(day);
      if (!report) throw new NotFoundError(`No sales report for ${day}`, 'REPORT_NOT_FOUND');
      const file = report.files[kind];
      return { filename: file.filename, csv: reports.openFile(file.fileId) };
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
