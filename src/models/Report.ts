// A stored daily sales report: one document per day (the unique `day` makes building idempotent),
// holding the summary and the ids of its two CSV files in the `report_files` GridFS bucket.
// Money is integer minor units, summed across orders without currency conversion (one shop currency).
import { Schema, Types, type Connection, type Model } from 'mongoose';
import './deadline.plugin';

/** GridFS bucket of the report CSVs (`report_files.files`, `report_files.chunks`). */
export const REPORT_FILES_BUCKET = 'report_files';
export const REPORT_FILE_KINDS = ['orders', 'products'] as const;
export type ReportFileKind = (typeof REPORT_FILE_KINDS)[number];

export interface ReportSummaryDoc {
  /** Sales: orders that became paid in the day. */
  orders: number;
  units: number;
  grossMinor: number;
  /** Paid orders cancelled (payments: refunded) in the day, and their amount. */
  refundedOrders: number;
  refundsMinor: number;
  netMinor: number;
  averageOrderValueMinor: number;
  /** Accounts whose first paid order was paid in the day. */
  newCustomers: number;
}

export interface ReportFileDoc {
  fileId: Types.ObjectId;
  filename: string;
  bytes: number;
  rows: number;
}

export interface ReportDoc {
  _id: Types.ObjectId;
  /** The local calendar day, `YYYY-MM-DD`, in `timeZone`. */
  day: string;
  timeZone: string;
  from: Date;
  to: Date;
  currency: string | null;
  summary: ReportSummaryDoc;
  files: Record<ReportFileKind, ReportFileDoc>;
  /** The build that wrote the files: files of the day with another build id are leftovers. */
  buildId: Types.ObjectId;
  createdAt: Date;
}

const count = { type: Number, required: true, min: 0 };
const fileSchema = new Schema<ReportFileDoc>(
  { fileId: { type: Schema.Types.ObjectId, required: true }, filename: { type: String, required: true }, bytes: count, rows: count },
  { _id: false },
);

const reportSchema = new Schema<ReportDoc>(
  {
    day: { type: String, required: true, match: /^\d{4}-\d{2}-\d{2}$/ },
    timeZone: { type: String, required: true },
    from: { type: Date, required: true },
    to: { type: Date, required: true },
    currency: { type: String, default: null },
    summary: {
      orders: count,
      units: count,
      grossMinor: count,
      refundedOrders: count,
      refundsMinor: count,
      netMinor: { type: Number, required: true },
      averageOrderValueMinor: count,
      newCustomers: count,
    },
    files: { orders: { type: fileSchema, required: true }, products: { type: fileSchema, required: true } },
    buildId: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false, collection: 'reports', timestamps: { createdAt: true, updatedAt: false } },
);

// One report per day, whoever builds it (a retry, a second scheduler tick, the operator script).
// Also serves the listing, newest day first (`day` then the `_id` tie-break; a day has one row).
reportSchema.index({ day: 1 }, { unique: true });

export type ReportModel = Model<ReportDoc>;

/** The Report model on `connection`, compiled once per connection. */
export function reportModel(connection: Connection): ReportModel {
  return (connection.models.Report as ReportModel | undefined) ?? connection.model<ReportDoc>('Report', reportSchema);
}
