// The inventory import repository: an import never exists without its whole file (chunked), one
// import per file content even when uploads race, batches counted once, rejections kept in line order.
import mongoose, { Types } from 'mongoose';
import { inventoryImportModels } from '../../../src/models/InventoryImport';
import { createInventoryImportRepository, type NewImport } from '../../../src/repositories/inventory/import.repository';
import { clearTestDatabase, useTestDatabase } from '../../support/db';

useTestDatabase();

const input = (sha256: string, overrides: Partial<NewImport> = {}): NewImport => ({ sha256, fileName: 'stock.csv', mode: 'stock', rowsTotal: 3, createdBy: 'admin-1', ...overrides });

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('InventoryImportRepository', () => {
  const models = () => inventoryImportModels(mongoose.connection);
  const repo = () => createInventoryImportRepository(models());

  afterEach(clearTestDatabase);

  it('when a file larger than one chunk is stored, then it is read back byte for byte, in order', async () => {
    const file = Buffer.alloc(600 * 1024);
    for (let i = 0; i < file.length; i += 1) file[i] = (i * 31) % 251;
    const { record, created } = await repo().create(input('sha-big'), file);
    expect(created).toBe(true);
    expect(record).toMatchObject({ status: 'queued', bytes: file.length, rowsDone: 0, batchesDone: 0 });
    expect(await models().InventoryImportChunk.countDocuments({ importId: record._id })).toBe(3);
    expect((await readAll(repo().openFile(record._id.toString()))).equals(file)).toBe(true);
  });

  it('when the same bytes are uploaded again, then the existing import is returned and nothing new is stored', async () => {
    const first = await repo().create(input('sha-1'), Buffer.from('sku,qty\n'));
    const again = await repo().create(input('sha-1', { fileName: 'copy.csv' }), Buffer.from('sku,qty\n'));
    expect(again).toMatchObject({ created: false, record: { _id: first.record._id, fileName: 'stock.csv' } });
    expect(await models().InventoryImportChunk.countDocuments()).toBe(1);
  });

  it('when two uploads of the same bytes race, then one import wins, both callers get it and the loser leaves no chunks', async () => {
    const file = Buffer.from('sku,qty\nA,1\n');
    const results = await Promise.all([repo().create(input('sha-race'), file), repo().create(input('sha-race'), file)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0].record._id.toString()).toBe(results[1].record._id.toString());
    expect(await models().InventoryImport.countDocuments()).toBe(1);
    expect(await models().InventoryImportChunk.countDocuments({ importId: { $ne: results[0].record._id } })).toBe(0);
  });

  it('when the insert is refused as a duplicate but the winner is gone by the re-read, then the error reaches the caller and no chunks are left', async () => {
    const m = models();
    jest.spyOn(m.InventoryImport, 'create').mockRejectedValueOnce(Object.assign(new Error('E11000 duplicate key'), { code: 11000 }));
    await expect(createInventoryImportRepository(m).create(input('sha-gone'), Buffer.from('x'))).rejects.toMatchObject({ code: 11000 });
    expect(await m.InventoryImportChunk.countDocuments()).toBe(0);
    jest.restoreAllMocks();
  });

  it('when the import itself is invalid, then the error reaches the caller and its chunks are removed', async () => {
    await expect(repo().create(input('sha-bad', { mode: 'sideways' as NewImport['mode'] }), Buffer.from('x'))).rejects.toMatchObject({ name: 'ValidationError' });
    expect(await models().InventoryImportChunk.countDocuments()).toBe(0);
    expect(await models().InventoryImport.countDocuments()).toBe(0);
  });

  it('when claimed, then a queued import runs; a finished one (duplicate job) or an unknown one cannot be claimed', async () => {
    const { record } = await repo().create(input('sha-c'), Buffer.from('x'));
    const id = record._id.toString();
    expect(await repo().claim(id)).toMatchObject({ status: 'running' });
    expect(await repo().claim(id)).toMatchObject({ status: 'running' }); // a retried job resumes
    await repo().finish(id, 'done');
    expect(await repo().claim(id)).toBeNull();
    expect(await repo().claim(new Types.ObjectId().toHexString())).toBeNull();
    expect(await repo().findById(id)).toMatchObject({ status: 'done', failureReason: null });
  });

  it('when an import fails, then the reason is kept', async () => {
    const { record } = await repo().create(input('sha-f'), Buffer.from('x'));
    await repo().finish(record._id.toString(), 'failed', 'header missing');
    expect(await repo().findById(record._id.toString())).toMatchObject({ status: 'failed', failureReason: 'header missing' });
  });

  it('when a batch is recorded again after a crash, then it is counted once and its rejections are not duplicated', async () => {
    const { record } = await repo().create(input('sha-b', { rowsTotal: 4 }), Buffer.from('x'));
    const id = record._id.toString();
    const batch1 = { batch: 1, rows: 2, applied: 1, rejections: [{ line: 3, sku: 'B', reason: 'unknown sku' }] };
    await repo().recordBatch(id, batch1);
    await repo().recordBatch(id, batch1);
    await repo().recordBatch(id, { batch: 2, rows: 2, applied: 1, rejections: [{ line: 2, sku: 'A', reason: 'negative' }] });
    await repo().recordBatch(id, { batch: 4, rows: 9, applied: 9, rejections: [] }); // out of order: ignored
    expect(await repo().findById(id)).toMatchObject({ rowsDone: 4, applied: 2, rejected: 2, batchesDone: 2 });
    const all = [];
    for await (const r of repo().rejections(id)) all.push(r);
    expect(all).toEqual([{ line: 2, sku: 'A', reason: 'negative' }, { line: 3, sku: 'B', reason: 'unknown sku' }]);
    expect(await repo().firstRejections(id, 1)).toEqual([{ line: 2, sku: 'A', reason: 'negative' }]);
  });

  it('when storing rejections fails for a reason other than a duplicate, then the batch is not counted and the error reaches the caller', async () => {
    const { record } = await repo().create(input('sha-e'), Buffer.from('x'));
    const id = record._id.toString();
    const m = models();
    jest.spyOn(m.InventoryImportError, 'insertMany').mockRejectedValueOnce(new Error('connection reset'));
    const batch = { batch: 1, rows: 1, applied: 0, rejections: [{ line: 2, sku: 'A', reason: 'unknown sku' }] };
    await expect(createInventoryImportRepository(m).recordBatch(id, batch)).rejects.toThrow('connection reset');
    jest.restoreAllMocks();
    expect(await repo().findById(id)).toMatchObject({ rowsDone: 0, batchesDone: 0 });
    // The job's retry records the same batch and it counts then.
    await repo().recordBatch(id, batch);
    expect(await repo().findById(id)).toMatchObject({ rowsDone: 1, rejected: 1, batchesDone: 1 });
  });

  it('when imports wait in the queue, then only those queued before the cut-off are listed, oldest first, up to the limit', async () => {
    const a = (await repo().create(input('sha-q1'), Buffer.from('1'))).record;
    const b = (await repo().create(input('sha-q2'), Buffer.from('2'))).record;
    const running = (await repo().create(input('sha-q3'), Buffer.from('3'))).record;
    await repo().claim(running._id.toString());
    const later = new Date(Date.now() + 60_000);
    expect(await repo().findQueuedBefore(later, 10)).toEqual([a._id.toString(), b._id.toString()]);
    expect(await repo().findQueuedBefore(later, 1)).toEqual([a._id.toString()]);
    expect(await repo().findQueuedBefore(new Date(0), 10)).toEqual([]);
  });
});
