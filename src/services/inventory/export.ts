// The catalog as CSV, one row per variant, streamed: products are read a page at a time and
// csv-stringify applies backpressure, so memory stays flat whatever the catalog size.
import { Readable } from 'node:stream';
import type { Types } from 'mongoose';
import { stringify } from 'csv-stringify';
import type { ExportProduct, VariantStockRepository } from '../../repositories/inventory/variant-stock';
import { defaultVariant } from '../../models/ProductVariant';
import { fromMinorUnits } from '../query-engine';
import { withoutDeadline } from '../../utils/tracing';
import { spreadsheetSafe } from './csv';

export const EXPORT_COLUMNS = ['sku', 'productId', 'variantId', 'product', 'options', 'stock', 'price', 'currency', 'active'] as const;

function* rowsOf(product: ExportProduct): Generator<(string | number | boolean)[]> {
  const variants = product.variants?.length ? product.variants : [defaultVariant(product.sku, product.stock)];
  for (const v of variants) {
    yield [
      v.sku,
      product._id.toString(),
      v._id.toString(),
      product.name,
      v.optionValues.map((o) => `${o.name}=${o.value}`).join(';'),
      v.stock,
      fromMinorUnits(v.priceMinor ?? product.priceMinor).toFixed(2),
      product.currency,
      v.active,
    ];
  }
}

/** Products per page: a few hundred KB of documents in memory at a time. */
const PAGE = 500;

/**
 * Keyset pages by `_id` rather than one long server cursor: each page is a short query, so neither
 * the request deadline nor a server cursor timeout bounds how large a catalog can be exported, and
 * the next page is only read when csv-stringify has room (backpressure). Each page runs outside
 * the request deadline; the work still ends with the response (a client that goes away destroys
 * the pipeline and the generator stops).
 */
export function exportInventoryCsv(stock: Pick<VariantStockRepository, 'exportPage'>): Readable {
  const rows = Readable.from(
    (async function* variants() {
      let after: Types.ObjectId | null = null;
      for (;;) {
        const last: Types.ObjectId | null = after;
        const page: ExportProduct[] = await withoutDeadline(() => stock.exportPage(last, PAGE));
        for (const product of page) yield* rowsOf(product);
        if (page.length < PAGE) return;
        after = page[page.length - 1]._id;
      }
    })(),
  );
  // Formula-looking cells (=, +, -, @) are quoted with a leading ' so a spreadsheet shows text.
  const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS], cast: { string: spreadsheetSafe } });
  rows.on('error', (err) => csv.destroy(err));
  return rows.pipe(csv);
}
