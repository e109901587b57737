// HTTP side of /reports: the listing envelope, and the CSV downloads streamed from storage.
import type { Response } from 'express';
import type { ReportFileKind } from '../models/Report';
import type { PageQuery } from '../services/listing/listing';
import type { ReportService } from '../services/reports/report.service';
import { sendSuccess } from '../utils/response';
import type { TypedRequest } from '../utils/typed-request';
import { sendCsv } from './csv';

export interface ReportDayParams {
  readonly day: string;
}

export interface ReportDownloadQuery {
  readonly kind: ReportFileKind;
}

export function createReportController(reports: ReportService) {
  return {
    async list(req: TypedRequest<{ query: PageQuery }>, res: Response) {
      const page = await reports.list(req.validated.query);
      sendSuccess(res, page.data, { meta: page.meta });
    },

    async download(req: TypedRequest<{ params: ReportDayParams; query: ReportDownloadQuery }>, res: Response) {
      const { filename, csv } = await reports.download(req.validated.params.day, req.validated.query.kind);
      await sendCsv(res, filename, csv);
    },
  };
}
