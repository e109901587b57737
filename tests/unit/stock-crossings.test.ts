// The stock alert rules: the band a conditional write splits on must be exactly the stock values
// from which a delta crosses, or a crossing could slip through the write that records no event.
import { Types } from 'mongoose';
import { crossingBand, crossingEvents, crossingsOf, inBand } from '../../src/services/stock/crossings';

describe('stock crossings', () => {
  it('when stock goes 0 → more, then it is back in stock; from at or above the threshold to below it, then it is low', () => {
    expect(crossingsOf(0, 3, 5)).toEqual(['back-in-stock']);
    expect(crossingsOf(1, 3, 5)).toEqual([]);
    expect(crossingsOf(5, 4, 5)).toEqual(['low-stock']);
    expect(crossingsOf(9, 0, 5)).toEqual(['low-stock']);
    expect(crossingsOf(4, 2, 5)).toEqual([]);
    expect(crossingsOf(4, 6, 5)).toEqual([]);
    expect(crossingsOf(9, 0, 0)).toEqual([]);
  });

  it('when any delta is applied to any stock, then the band holds exactly the values from which it crosses', () => {
    for (let threshold = 0; threshold <= 7; threshold += 1) {
      for (let delta = -12; delta <= 12; delta += 1) {
        const band = crossingBand(delta, threshold);
        for (let stock = 0; stock <= 25; stock += 1) {
          if (stock + delta < 0) continue;
          expect({ threshold, delta, stock, inBand: inBand(stock, band) }).toEqual({ threshold, delta, stock, inBand: crossingsOf(stock, stock + delta, threshold).length > 0 });
        }
      }
    }
  });

  it('when a crossing is turned into events, then ids carry the variant and the product version, and payloads the variant facts', () => {
    const variantId = new Types.ObjectId();
    const image = {
      productId: new Types.ObjectId().toHexString(),
      name: 'Trail Shoe',
      slug: 'trail-shoe',
      priceMinor: 5000,
      currency: 'EUR',
      sellable: true,
      version: 7,
      variant: { _id: variantId, sku: 'TS-42', optionValues: [{ name: 'size', value: '42' }], optionTags: ['size=42'], priceMinor: 5500, stock: 2, active: true },
    };
    const [back] = crossingEvents(image, 0, 5);
    expect(back).toMatchObject({ id: `variant-back-in-stock:${variantId.toHexString()}:7`, type: 'variant-back-in-stock', aggregateId: `variant:${variantId.toHexString()}` });
    expect(back.payload).toMatchObject({ sku: 'TS-42', optionValues: { size: '42' }, price: 55, currency: 'EUR', stock: 2, restockSeq: 7, slug: 'trail-shoe' });
    const [low] = crossingEvents(image, 6, 5);
    expect(low).toMatchObject({ id: `variant-low-stock:${variantId.toHexString()}:7`, payload: expect.objectContaining({ stock: 2, threshold: 5, seq: 7 }) });
  });
});
