// Streams a CSV download (inventory exports, sales reports): attachment headers, then the bytes as
// the source yields them. A failure after the first byte can only cut the response short.
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Response } from 'express';

export async function sendCsv(res: Response, fileName: string, csv: Readable): Promise<void> {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
  res.setHeader('Cache-Control', 'no-store');
  try {
    await pipeline(csv, res);
  } catch (err) {
    if (!res.headersSent) throw err;
    res.destroy(err instanceof Error ? err : undefined);
  }
}
