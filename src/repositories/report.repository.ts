// The only code that touches stored sales reports: the `reports` documents and their CSV files in
// the `report_files` GridFS bucket. Reads are lean; never throws HTTP errors.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mongo, Types, type ClientSession, type Connection } from 'mongoose';
import { REPORT_FILES_BUCKET, type ReportDoc, type ReportFileKind, type ReportModel } from '../models/Report';
import { rethrowDuplicateKey } from './errors';

export type ReportRecord = ReportDoc;
export type NewReport = Omit<ReportDoc, '_id' | 'createdAt'>;

export interface ReportPageInput {
  readonly sort: Record<string, 1 | -1>;
  readonly after: Record<string, unknown> | null;
  readonly skip: number;
  readonly limit: number;
}

export interface StoredFile {
  readonly fileId: Types.ObjectId;
  readonly bytes: number;
}

/** What a stored file says about itself (for attachments and downloads). */
export interface StoredFileInfo {
  readonly fileId: Types.ObjectId;
  readonly filename: string;
  readonly bytes: number;
}

export function createReportRepository(model: ReportModel, connection: Connection) {
  const bucket = () => {
    if (!connection.db) throw new Error('MongoDB is not connected');
    return new mongo.GridFSBucket(connection.db, { bucketName: REPORT_FILES_BUCKET });
  };

  return {
    findByDay(day: string): Promise<ReportRecord | null> {
      return model.findOne({ day }).lean<ReportRecord | null>().exec();
    },

    async exists(day: string): Promise<boolean> {
      return (await model.exists({ day })) !== null;
    },

    findPage(input: ReportPageInput): Promise<ReportRecord[]> {
      return model
        .find(input.after ?? {})
        .sort(input.sort)
        .skip(input.skip)
        .limit(input.limit)
        .lean<ReportRecord[]>()
        .exec();
    },

    count(): Promise<number> {
      return model.estimatedDocumentCount().exec();
    },

    /** The commit point of a build: a second report for the same day is a DuplicateKeyError. */
    async insert(report: NewReport, session: ClientSession | null): Promise<void> {
      await model.create([report], { session }).catch(rethrowDuplicateKey);
    },

    /** Removes the day's report document (its files go with `deleteFiles`); false when there was none. */
    async deleteByDay(day: string): Promise<boolean> {
      return (await model.deleteOne({ day })).deletedCount === 1;
    },

    /** Streams `source` into a new file of the bucket; resolves when it is stored whole. */
    async writeFile(filename: string, metadata: { day: string; kind: ReportFileKind; buildId: Types.ObjectId }, source: Readable): Promise<StoredFile> {
      const upload = bucket().openUploadStream(filename, { metadata, contentType: 'text/csv' } as mongo.GridFSBucketWriteStreamOptions);
      await pipeline(source, upload);
      return { fileId: upload.id, bytes: upload.gridFSFile?.length ?? upload.length };
    },

    async fileInfo(fileId: string | Types.ObjectId): Promise<StoredFileInfo | null> {
      const [file] = await bucket().find({ _id: new Types.ObjectId(String(fileId)) }).limit(1).toArray();
      return file ? { fileId: file._id, filename: file.filename, bytes: file.length } : null;
    },

    /** The file's bytes, read chunk by chunk as the consumer pulls. */
    openFile(fileId: string | Types.ObjectId): Readable {
      return bucket().openDownloadStream(new Types.ObjectId(String(fileId)));
    },

    /**
     * Removes files of `day`: those of build `buildId` (`only`), or of every build but it (`except`:
     * leftovers of a build that crashed before its report was stored).
     */
    async deleteFiles(day: string, build: { only: Types.ObjectId } | { except: Types.ObjectId }): Promise<number> {
      const files = bucket();
      const buildId = 'only' in build ? build.only : { $ne: build.except };
      const found = await files.find({ 'metadata.day': day, 'metadata.buildId': buildId }).toArray();
      for (const file of found) await files.delete(file._id);
      return found.length;
    },
  };
}

export type ReportRepository = ReturnType<typeof createReportRepository>;
