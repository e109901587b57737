// Opens the report CSVs that daily-report emails attach by reference (`AttachmentRef`): the file
// is streamed from GridFS into the message, never copied into Redis or the outbox.
import type { ReportRepository } from '../../repositories/report.repository';
import type { AttachmentOpener } from './processor';

export function reportAttachments(reports: Pick<ReportRepository, 'fileInfo' | 'openFile'>): AttachmentOpener {
  return async (ref) => {
    const info = await reports.fileInfo(ref.fileId);
    if (!info) return null;
    return { filename: ref.filename, contentType: ref.contentType, content: reports.openFile(info.fileId) };
  };
}
