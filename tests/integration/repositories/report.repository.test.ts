// The report repository's file side: CSVs stored in GridFS and read back, their metadata, and the
// clean-up of one build's files or of a crashed build's leftovers.
import { Readable } from 'node:stream';
import mongoose, { Types } from 'mongoose';
import { Report } from '../../support/models';
import { createReportRepository } from '../../../src/repositories/report.repository';
import { clearTestDatabase, useTestDatabase } from '../../support/db';

useTestDatabase();

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts).toString('utf8');
}

describe('ReportRepository files', () => {
  const repo = () => createReportRepository(Report, mongoose.connection);

  afterEach(clearTestDatabase);

  it('when a CSV is written, then its info and bytes read back; an unknown file has no info', async () => {
    const csv = 'orderId,totalMinor\no1,1200\no2,800\n';
    const buildId = new Types.ObjectId();
    const stored = await repo().writeFile('2026-01-01-orders.csv', { day: '2026-01-01', kind: 'orders', buildId }, Readable.from([csv]));
    expect(stored.bytes).toBe(Buffer.byteLength(csv));
    expect(await repo().fileInfo(stored.fileId.toString())).toEqual({ fileId: stored.fileId, filename: '2026-01-01-orders.csv', bytes: Buffer.byteLength(csv) });
    expect(await readAll(repo().openFile(stored.fileId))).toBe(csv);
    expect(await repo().fileInfo(new Types.ObjectId())).toBeNull();
  });

  it('when a build\'s files are removed, then only that day\'s files of that build go; "except" removes the other builds\' leftovers', async () => {
    const kept = new Types.ObjectId();
    const crashed = new Types.ObjectId();
    const write = (day: string, buildId: Types.ObjectId, kind: 'orders' | 'products') => repo().writeFile(`${day}-${kind}.csv`, { day, kind, buildId }, Readable.from(['a\n']));
    const keptFile = await write('2026-01-01', kept, 'orders');
    await write('2026-01-01', crashed, 'orders');
    await write('2026-01-01', crashed, 'products');
    const otherDay = await write('2026-01-02', crashed, 'orders');

    expect(await repo().deleteFiles('2026-01-01', { except: kept })).toBe(2);
    expect(await repo().fileInfo(keptFile.fileId)).not.toBeNull();
    expect(await repo().fileInfo(otherDay.fileId)).not.toBeNull();
    expect(await repo().deleteFiles('2026-01-01', { only: kept })).toBe(1);
    expect(await repo().fileInfo(keptFile.fileId)).toBeNull();
    expect(await repo().deleteFiles('2026-01-01', { only: kept })).toBe(0);
  });

  it('when the connection is not open, then file operations fail with a clear error', async () => {
    const closed = mongoose.createConnection();
    try {
      expect(() => createReportRepository(Report, closed).openFile(new Types.ObjectId())).toThrow('MongoDB is not connected');
    } finally {
      await closed.close();
    }
  });
});
