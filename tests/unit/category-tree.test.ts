// The pure tree rules: slug paths, nesting with hidden branches, and move plans (cycles, depth).
import { Types } from 'mongoose';
import type { CategoryRecord } from '../../src/repositories/category.repository';
import { nest, planMove, slugPath, subtreeHeight } from '../../src/services/categories/tree';
import { ConflictError } from '../../src/utils/errors';

function category(slug: string, parent: CategoryRecord | null, extra: Partial<CategoryRecord> = {}): CategoryRecord {
  return {
    _id: new Types.ObjectId(),
    name: slug,
    slug,
    description: '',
    parent: parent?._id ?? null,
    ancestors: parent ? [...parent.ancestors, parent._id] : [],
    position: 0,
    active: true,
    version: 1,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...extra,
  };
}

describe('category tree rules', () => {
  const a = category('a', null);
  const b = category('b', a);
  const c = category('c', b);
  const d = category('d', null);
  const byId = new Map([a, b, c, d].map((x) => [x._id.toString(), x]));

  it('when a path is asked for, then it lists the slugs from the root down to the category', () => {
    expect(slugPath(c, byId)).toEqual(['a', 'b', 'c']);
    expect(slugPath(d, byId)).toEqual(['d']);
  });

  it('when records are nested, then children hang under their parents and an inactive category hides its subtree from the public', () => {
    const hidden = { ...b, active: false };
    const all = nest([a, hidden, c, d], (r) => r.slug, { activeOnly: false });
    expect(all.map((n) => n.view)).toEqual(['a', 'd']);
    expect(all[0].children[0].children[0].view).toBe('c');
    const publicTree = nest([a, hidden, c, d], (r) => r.slug, { activeOnly: true });
    expect(publicTree.map((n) => [n.view, n.children.length])).toEqual([['a', 0], ['d', 0]]);
  });

  it('when a subtree moves, then the moved category takes the new parent’s ancestry and descendants keep their part below it', () => {
    const plan = planMove(b, d, [c]);
    expect(plan.ancestors.get(b._id.toString())).toEqual([d._id]);
    expect(plan.ancestors.get(c._id.toString())).toEqual([d._id, b._id]);
    const toRoot = planMove(b, null, [c]);
    expect(toRoot.ancestors.get(c._id.toString())).toEqual([b._id]);
    expect(subtreeHeight(a, [b, c])).toBe(3);
  });

  it('when a category would move under itself or a descendant, or too deep, then the move is refused', () => {
    expect(() => planMove(a, c, [b, c])).toThrow(expect.objectContaining({ code: 'CATEGORY_CYCLE' }));
    expect(() => planMove(b, b, [c])).toThrow(ConflictError);
    let deep = d;
    for (let i = 0; i < 4; i += 1) deep = category(`deep${i}`, deep);
    // deep is at depth 5; a (height 3) under it would reach depth 8.
    expect(() => planMove(a, deep, [b, c])).toThrow(expect.objectContaining({ code: 'CATEGORY_TOO_DEEP' }));
  });
});
