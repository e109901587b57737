// The catalog as CSV, one row per variant, streamed: products come from a server cursor one batch
// at a time and csv-stringify applies backpressure, so memory stays flat whatever the catalog size.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { ExportProduct, VariantStockRepository } from '../../repositories/inventory/variant-stock';
import { defaultVariant } from '../../models/ProductVariant';
import { fromMinorUnits } from '../query-engine';
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

export function exportInventoryCsv(stock: Pick<VariantStockRepository, 'exportCursor'>): Readable {
  const rows = Readable.from(
    (async function* variants() {
      for await (const product of stock.exportCursor()) yield* rowsOf(product);
    })(),
  );
  // Formula-looking cells (=, +, -, @) are quoted with a leading ' so a spreadsheet shows text.
  const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS], cast: { string: spreadsheetSafe } });
  rows.on('error', (err) => csv.destroy(err));
  return rows.pipe(csv);
}
