// Pure review rules: what a change does to the per-star counts, the rounding of averages, author
// names, and the repair's bookkeeping with fake repositories.
import { Types } from 'mongoose';
import { ratingAverageOf, ratingCountOf } from '../../src/models/Review';
import { aggregatesOf, createRatingRepair, ratingDelta } from '../../src/services/reviews/ratings';
import { authorNameOf } from '../../src/services/reviews/review.service';
import { toHistogramView } from '../../src/services/reviews/view';

describe('ratingDelta', () => {
  it('when a published review is created, edited, hidden, unhidden or deleted, then exactly the counted stars change', () => {
    expect(ratingDelta(null, { rating: 4, status: 'published' })).toEqual([0, 0, 0, 1, 0]);
    expect(ratingDelta({ rating: 4, status: 'published' }, { rating: 2, status: 'published' })).toEqual([0, 1, 0, -1, 0]);
    expect(ratingDelta({ rating: 4, status: 'published' }, { rating: 4, status: 'hidden' })).toEqual([0, 0, 0, -1, 0]);
    expect(ratingDelta({ rating: 4, status: 'hidden' }, { rating: 4, status: 'published' })).toEqual([0, 0, 0, 1, 0]);
    expect(ratingDelta({ rating: 1, status: 'published' }, null)).toEqual([-1, 0, 0, 0, 0]);
  });

  it('when nothing counted changes (same rating, or a hidden review edited), then there is no update at all', () => {
    expect(ratingDelta({ rating: 3, status: 'published' }, { rating: 3, status: 'published' })).toBeNull();
    expect(ratingDelta({ rating: 3, status: 'hidden' }, { rating: 5, status: 'hidden' })).toBeNull();
    expect(ratingDelta({ rating: 3, status: 'hidden' }, null)).toBeNull();
  });
});

describe('rating aggregates', () => {
  it('when the mean ends in 5 at the third place, then it rounds half up (33/8 = 4.125 → 4.13), without reviews 0', () => {
    expect(ratingAverageOf([0, 0, 0, 7, 1])).toBe(4.13);
    expect(ratingAverageOf([0, 1, 0, 0, 2])).toBe(4);
    expect(ratingAverageOf([1, 0, 0, 0, 2])).toBe(3.67);
    expect(ratingAverageOf([0, 0, 0, 0, 0])).toBe(0);
    expect(ratingCountOf([1, 2, 3, 4, 5])).toBe(15);
    expect(aggregatesOf([0, 0, 1, 0, 1])).toEqual({ ratingHistogram: [0, 0, 1, 0, 1], ratingCount: 2, ratingAverage: 4 });
  });

  it('when a product has no histogram yet, then the API shows zero for every star', () => {
    expect(toHistogramView(undefined)).toEqual({ 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 });
    expect(toHistogramView([1, 2, 3, 4, 5])).toEqual({ 1: 1, 2: 2, 3: 3, 4: 4, 5: 5 });
  });

  it('when an author name is derived, then it is the first name and the initial of the last', () => {
    expect(authorNameOf({ firstName: 'Cleo', lastName: 'customer' })).toBe('Cleo C.');
    expect(authorNameOf({ firstName: 'Ada', lastName: ' ' })).toBe('Ada');
    expect(authorNameOf(null)).toBe('Customer');
  });
});

describe('createRatingRepair', () => {
  const id = new Types.ObjectId();
  const review = new Types.ObjectId();

  function fakes(written: number) {
    const setIfVersion = jest.fn(async () => written);
    const invalidateProducts = jest.fn(async () => undefined);
    const repair = createRatingRepair({
      ratings: { batch: async (after) => (after ? [] : [{ _id: id, version: 3, ratingCount: 9, ratingAverage: 1, ratingHistogram: [9, 0, 0, 0, 0] }]), setIfVersion },
      reviews: {
        histograms: async () => new Map([[id.toHexString(), [0, 0, 0, 0, 2]]]),
        helpfulBatch: async (after) => (after ? [] : [{ _id: review, helpfulCount: 4 }]),
        setHelpfulIf: async () => 1,
      },
      votes: { counts: async () => new Map([[review.toHexString(), 2]]) },
      invalidateProducts,
    });
    return { repair, setIfVersion, invalidateProducts };
  }

  it('when a product changed while the repair looked at it (version moved), then it is counted as raced, not fixed', async () => {
    const { repair, setIfVersion } = fakes(0);
    const report = await repair();
    expect(setIfVersion).toHaveBeenCalledWith([{ id, version: 3, aggregates: { ratingHistogram: [0, 0, 0, 0, 2], ratingCount: 2, ratingAverage: 5 } }]);
    expect(report).toEqual({ dryRun: false, products: { checked: 1, fixed: 0, raced: 1 }, reviews: { checked: 1, fixed: 1, raced: 0 } });
  });

  it('when run dry, then it counts what it would fix and writes and invalidates nothing', async () => {
    const { repair, setIfVersion, invalidateProducts } = fakes(1);
    expect(await repair({ dryRun: true })).toMatchObject({ products: { fixed: 1 }, reviews: { fixed: 1 } });
    expect(setIfVersion).not.toHaveBeenCalled();
    expect(invalidateProducts).not.toHaveBeenCalled();
  });
});
