// The category tree over HTTP: the public tree with counts, descendants in product filters, staff
// CRUD, subtree moves that keep every path consistent, refused deletes and reassignment, and
// product writes that name a category. Each test builds its own branch (unique slugs).
import request from 'supertest';
import { Category, Product } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';

useTestDatabase();

interface CategoryBody {
  id: string;
  slug: string;
  parent: string | null;
  path: string[];
  depth: number;
  position: number;
  active: boolean;
  productCount: number;
  version: number;
  children?: CategoryBody[];
}

describe('categories', () => {
  let ctx: TestContext;
  let manager: TestCaller;
  let customer: TestCaller;
  let seq = 0;
  const api = () => request(ctx.app);
  const unique = (label: string) => `${label}-${(seq += 1)}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
    manager = await callerWithRole(ctx, 'manager');
    customer = await callerWithRole(ctx, 'customer');
  });
  afterAll(async () => ctx.close());

  async function createCategory(body: Record<string, unknown>): Promise<CategoryBody> {
    const res = await api().post('/api/v1/categories').set(manager.headers).send(body);
    expectSuccess(res, 201);
    return res.body.data as CategoryBody;
  }

  /** root > mid > leaf, each slug unique to the calling test. */
  async function branch(label: string): Promise<{ root: CategoryBody; mid: CategoryBody; leaf: CategoryBody }> {
    const root = await createCategory({ name: `${label} root`, slug: unique(`${label}-root`) });
    const mid = await createCategory({ name: `${label} mid`, slug: unique(`${label}-mid`), parent: root.slug });
    const leaf = await createCategory({ name: `${label} leaf`, slug: unique(`${label}-leaf`), parent: mid.slug });
    return { root, mid, leaf };
  }

  async function createProduct(category: string, overrides: Record<string, unknown> = {}): Promise<{ id: string; version: number; category: string }> {
    const res = await api()
      .post('/api/v1/products')
      .set(manager.headers)
      .send({ name: `Item in ${category}`, sku: unique('CAT').toUpperCase(), price: 10, category, status: 'active', stock: 1, ...overrides });
    expectSuccess(res, 201);
    return res.body.data;
  }

  const listed = async (category: string, headers: Record<string, string> = {}): Promise<string[]> => {
    const res = await api().get('/api/v1/products').set(headers).query({ category, limit: '100' });
    expectSuccess(res);
    return (res.body.data as { id: string }[]).map((p) => p.id).sort();
  };

  const categoryOf = async (id: string) => (await Category.findById(id).lean())!;
  const productOf = async (id: string) => (await Product.findById(id).lean())!;

  const find = (nodes: readonly CategoryBody[], slug: string): CategoryBody | undefined => {
    for (const node of nodes) {
      if (node.slug === slug) return node;
      const inner = find(node.children ?? [], slug);
      if (inner) return inner;
    }
    return undefined;
  };

  describe('GET /api/v1/categories', () => {
    it('when a branch holds products at several levels, then the tree nests it in position order and each count includes descendants', async () => {
      const { root, mid, leaf } = await branch('tree');
      const second = await createCategory({ name: 'tree second', slug: unique('tree-second'), parent: root.slug });
      expect(second.position).toBe(mid.position + 1);
      await createProduct(root.slug);
      await createProduct(mid.slug);
      await createProduct(leaf.slug);
      await createProduct(leaf.slug);
      await createProduct(leaf.slug, { status: 'draft' });

      const res = await api().get('/api/v1/categories');
      expectSuccess(res);
      const node = find(res.body.data, root.slug)!;
      expect(node).toMatchObject({ parent: null, path: [root.slug], depth: 1, productCount: 4 });
      expect(node.children!.map((c) => c.slug)).toEqual([mid.slug, second.slug]);
      expect(find(res.body.data, mid.slug)).toMatchObject({ parent: root.slug, path: [root.slug, mid.slug], depth: 2, productCount: 3 });
      expect(find(res.body.data, leaf.slug)).toMatchObject({ path: [root.slug, mid.slug, leaf.slug], depth: 3, productCount: 2, children: [] });

      // Each count is what the product list shows for that caller; staff also count the draft.
      expect((await listed(mid.slug)).length).toBe(3);
      const staffTree = await api().get('/api/v1/categories').set(manager.headers);
      expect(find(staffTree.body.data, leaf.slug)!.productCount).toBe(3);
      expect((await listed(leaf.slug, manager.headers)).length).toBe(3);
    });

    it('when a category is inactive, then the public tree hides it with its subtree and staff still see it', async () => {
      const { root, mid, leaf } = await branch('hidden');
      const res = await api().patch(`/api/v1/categories/${mid.id}`).set(manager.headers).send({ version: mid.version, active: false });
      expectSuccess(res);

      const publicTree = (await api().get('/api/v1/categories')).body.data as CategoryBody[];
      expect(find(publicTree, root.slug)!.children).toEqual([]);
      expect(find(publicTree, leaf.slug)).toBeUndefined();
      expectErrorContract(await api().get(`/api/v1/categories/${leaf.slug}`), 404, 'CATEGORY_NOT_FOUND');

      const staffTree = (await api().get('/api/v1/categories').set(manager.headers)).body.data as CategoryBody[];
      expect(find(staffTree, mid.slug)).toMatchObject({ active: false });
      expect(find(staffTree, leaf.slug)).toBeDefined();
    });
  });

  describe('GET /api/v1/products?category=', () => {
    it('when filtering by a category, then products of every descendant are included, and facets count the same way', async () => {
      const { root, mid, leaf } = await branch('filter');
      const other = await createCategory({ name: 'filter other', slug: unique('filter-other') });
      const inRoot = await createProduct(root.slug, { tags: ['catfacet'] });
      const inMid = await createProduct(mid.slug, { tags: ['catfacet'] });
      const inLeaf = await createProduct(leaf.slug, { tags: ['catfacet'] });
      await createProduct(other.slug, { tags: ['catfacet'] });

      expect(await listed(root.slug)).toEqual([inRoot.id, inMid.id, inLeaf.id].sort());
      expect(await listed(mid.slug)).toEqual([inMid.id, inLeaf.id].sort());
      expect(await listed(leaf.slug)).toEqual([inLeaf.id]);

      const facets = await api().get('/api/v1/products/facets').query({ tags: 'catfacet' });
      expectSuccess(facets);
      const counts = Object.fromEntries((facets.body.data.categories as { value: string; count: number }[]).map((c) => [c.value, c.count]));
      expect(counts).toEqual({ [root.slug]: 3, [mid.slug]: 2, [leaf.slug]: 1, [other.slug]: 1 });
    });
  });

  describe('POST /api/v1/categories', () => {
    it('when created without a slug, then it is derived from the name, placed after its siblings, and readable by id and slug', async () => {
      const name = `Garden Tools ${unique('n')}`;
      const created = await createCategory({ name, description: 'Spades & rakes' });
      expect(created).toMatchObject({ slug: expect.stringMatching(/^garden-tools-n-/), parent: null, depth: 1, active: true, productCount: 0, version: 1 });
      const byId = await api().get(`/api/v1/categories/${created.id}`);
      expectSuccess(byId);
      expect(byId.headers.etag).toBe(`"${created.id}-v1"`);
      expect((await api().get(`/api/v1/categories/${created.slug}`)).body.data.id).toBe(created.id);
    });

    it('when the input is invalid, the slug taken, the parent unknown or the caller a customer, then it is refused and nothing is stored', async () => {
      const taken = await createCategory({ name: 'Taken', slug: unique('taken') });
      const before = await Category.countDocuments();

      const invalid = await api().post('/api/v1/categories').set(manager.headers).send({ name: '<b>x</b>', slug: 'Not A Slug', position: -1, colour: 'red' });
      expectErrorContract(invalid, 400, 'VALIDATION_FAILED');
      expect((invalid.body.details as { path: string }[]).map((d) => d.path).sort()).toEqual(['colour', 'name', 'position', 'slug']);
      expectErrorContract(await api().post('/api/v1/categories').set(manager.headers).send({ name: 'Again', slug: taken.slug }), 409, 'DUPLICATE_KEY');
      const orphan = await api().post('/api/v1/categories').set(manager.headers).send({ name: 'Orphan', parent: unique('missing') });
      expectErrorContract(orphan, 422, 'UNKNOWN_CATEGORY');
      expect(orphan.body.details[0]).toMatchObject({ location: 'body', path: 'parent' });
      expectErrorContract(await api().post('/api/v1/categories').set(customer.headers).send({ name: 'Mine' }), 403, 'FORBIDDEN');
      expectErrorContract(await api().post('/api/v1/categories').send({ name: 'Anon' }), 401);

      expect(await Category.countDocuments()).toBe(before);
    });

    it('when a category would sit deeper than six levels, then it is refused with 409 CATEGORY_TOO_DEEP', async () => {
      let parent: string | null = null;
      for (let level = 1; level <= 6; level += 1) parent = (await createCategory({ name: `Deep ${level}`, slug: unique(`deep${level}`), parent })).slug;
      expectErrorContract(await api().post('/api/v1/categories').set(manager.headers).send({ name: 'Deep 7', parent }), 409, 'CATEGORY_TOO_DEEP');
    });
  });

  describe('PATCH /api/v1/categories/:id (move)', () => {
    it('when a subtree is moved under another parent, then every descendant path and product path follow in one step', async () => {
      const { root, mid, leaf } = await branch('move');
      const target = await createCategory({ name: 'move target', slug: unique('move-target') });
      const inMid = await createProduct(mid.slug);
      const inLeaf = await createProduct(leaf.slug);

      const res = await api().patch(`/api/v1/categories/${mid.id}`).set(manager.headers).set('If-Match', `"${mid.id}-v${mid.version}"`).send({ parent: target.slug });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ parent: target.slug, path: [target.slug, mid.slug], depth: 2, version: mid.version + 1 });
      expect(res.headers.etag).toBe(`"${mid.id}-v${mid.version + 1}"`);

      // The tree: ancestors of the moved category and its descendant.
      expect((await categoryOf(leaf.id)).ancestors.map(String)).toEqual([target.id, mid.id]);
      expect((await api().get(`/api/v1/categories/${leaf.id}`)).body.data.path).toEqual([target.slug, mid.slug, leaf.slug]);
      // Products: their category is unchanged, their path and version moved with the tree.
      expect(await productOf(inLeaf.id)).toMatchObject({ category: leaf.slug, categoryPath: [target.slug, mid.slug, leaf.slug], version: inLeaf.version + 1 });
      expect((await productOf(inMid.id)).categoryPath).toEqual([target.slug, mid.slug]);
      // Filters follow: the old root no longer lists them, the new parent does.
      expect(await listed(root.slug)).toEqual([]);
      expect(await listed(target.slug)).toEqual([inMid.id, inLeaf.id].sort());
      // Counts follow too.
      const tree = (await api().get('/api/v1/categories')).body.data as CategoryBody[];
      expect(find(tree, root.slug)!.productCount).toBe(0);
      expect(find(tree, target.slug)!.productCount).toBe(2);
    });

    it('when moved to the root or renamed, then products keep matching under the new slug and path', async () => {
      const { root, mid, leaf } = await branch('rename');
      const inLeaf = await createProduct(leaf.slug);
      const newSlug = unique('renamed');

      const moved = await api().patch(`/api/v1/categories/${mid.id}`).set(manager.headers).send({ version: mid.version, parent: null, slug: newSlug });
      expectSuccess(moved);
      expect(moved.body.data).toMatchObject({ slug: newSlug, parent: null, path: [newSlug], depth: 1 });
      expect((await productOf(inLeaf.id)).categoryPath).toEqual([newSlug, leaf.slug]);
      expect(await listed(newSlug)).toEqual([inLeaf.id]);
      expect(await listed(mid.slug)).toEqual([]);
      expect(await listed(root.slug)).toEqual([]);

      const leafSlug = unique('leaf-renamed');
      const current = (await api().get(`/api/v1/categories/${leaf.id}`)).body.data as CategoryBody;
      expectSuccess(await api().patch(`/api/v1/categories/${leaf.id}`).set(manager.headers).send({ version: current.version, slug: leafSlug }));
      const product = await api().get(`/api/v1/products/${inLeaf.id}`);
      expect(product.body.data.category).toBe(leafSlug);
      expect(await listed(leafSlug)).toEqual([inLeaf.id]);
    });

    it('when moved into itself or one of its descendants, then 409 CATEGORY_CYCLE and nothing changes', async () => {
      const { root, mid, leaf } = await branch('cycle');
      const inLeaf = await createProduct(leaf.slug);
      const before = { mid: await categoryOf(mid.id), leaf: await categoryOf(leaf.id), product: await productOf(inLeaf.id) };

      const intoChild = await api().patch(`/api/v1/categories/${mid.id}`).set(manager.headers).send({ version: mid.version, parent: leaf.slug });
      expectErrorContract(intoChild, 409, 'CATEGORY_CYCLE');
      expect(intoChild.body.details[0]).toMatchObject({ location: 'body', path: 'parent' });
      expectErrorContract(await api().patch(`/api/v1/categories/${mid.id}`).set(manager.headers).send({ version: mid.version, parent: mid.slug }), 409, 'CATEGORY_CYCLE');
      expectErrorContract(await api().patch(`/api/v1/categories/${root.id}`).set(manager.headers).send({ version: root.version, parent: leaf.slug }), 409, 'CATEGORY_CYCLE');

      expect(await categoryOf(mid.id)).toEqual(before.mid);
      expect(await categoryOf(leaf.id)).toEqual(before.leaf);
      expect(await productOf(inLeaf.id)).toEqual(before.product);
    });

    it('when the version is missing or stale, the parent unknown or the body invalid, then it is refused and nothing changes', async () => {
      const { mid, leaf } = await branch('guard');
      const before = await categoryOf(mid.id);

      expectErrorContract(await api().patch(`/api/v1/categories/${mid.id}`).set(manager.headers).send({ name: 'No version' }), 428, 'VERSION_REQUIRED');
      expectErrorContract(await api().patch(`/api/v1/categories/${mid.id}`).set(manager.headers).send({ version: mid.version + 5, name: 'Stale' }), 409, 'VERSION_CONFLICT');
      const unknownParent = await api().patch(`/api/v1/categories/${mid.id}`).set(manager.headers).send({ version: mid.version, parent: unique('nowhere') });
      expectErrorContract(unknownParent, 422, 'UNKNOWN_CATEGORY');
      expectErrorContract(await api().patch(`/api/v1/categories/${mid.id}`).set(manager.headers).send({ version: mid.version }), 400, 'VALIDATION_FAILED');
      expectErrorContract(await api().patch(`/api/v1/categories/${mid.id}`).set(manager.headers).send({ version: mid.version, slug: leaf.slug }), 409, 'DUPLICATE_KEY');
      expectErrorContract(await api().patch(`/api/v1/categories/${mid.id}`).set(customer.headers).send({ version: mid.version, name: 'Mine' }), 403);

      expect(await categoryOf(mid.id)).toEqual(before);
      expect((await categoryOf(leaf.id)).ancestors.map(String)).toEqual(before.ancestors.map(String).concat(mid.id));
    });
  });

  describe('DELETE /api/v1/categories/:id', () => {
    it('when the category has children or products, then 409 and nothing is deleted; reassigned products move with the delete', async () => {
      const { mid, leaf } = await branch('delete');
      const target = await createCategory({ name: 'delete target', slug: unique('delete-target'), parent: mid.slug });
      const live = await createProduct(leaf.slug);
      const gone = await createProduct(leaf.slug);
      expect((await api().delete(`/api/v1/products/${gone.id}`).set(manager.headers)).status).toBe(204);

      expectErrorContract(await api().delete(`/api/v1/categories/${mid.id}`).set(manager.headers), 409, 'CATEGORY_HAS_CHILDREN');
      // A soft-deleted product still counts: it could be restored into a missing category.
      const refused = await api().delete(`/api/v1/categories/${leaf.id}`).set(manager.headers);
      expectErrorContract(refused, 409, 'CATEGORY_HAS_PRODUCTS');
      expect(refused.body.details[0]).toMatchObject({ productCount: 2 });
      expectErrorContract(await api().delete(`/api/v1/categories/${leaf.id}`).set(manager.headers).query({ reassignTo: unique('nope') }), 422, 'UNKNOWN_CATEGORY');
      expectErrorContract(await api().delete(`/api/v1/categories/${leaf.id}`).set(manager.headers).query({ reassignTo: leaf.slug }), 422, 'INVALID_REASSIGNMENT');
      expectErrorContract(await api().delete(`/api/v1/categories/${leaf.id}`).set(customer.headers), 403);
      expect(await Category.exists({ _id: leaf.id })).not.toBeNull();
      expect((await productOf(live.id)).category).toBe(leaf.slug);

      const res = await api().delete(`/api/v1/categories/${leaf.id}`).set(manager.headers).query({ reassignTo: target.slug });
      expect(res.status).toBe(204);
      expect(await Category.exists({ _id: leaf.id })).toBeNull();
      for (const id of [live.id, gone.id]) expect(await productOf(id)).toMatchObject({ category: target.slug, categoryPath: target.path });
      expect(await listed(target.slug)).toEqual([live.id]);
      expect((await api().get(`/api/v1/products/${live.id}`)).body.data.category).toBe(target.slug);
    });

    it('when products are created in a category while it is deleted, then no product is left in a missing category', async () => {
      for (let round = 0; round < 6; round += 1) {
        const doomed = await createCategory({ name: 'Doomed', slug: unique('doomed') });
        const creates = Array.from({ length: round % 2 ? 1 : 3 }, (_, i) =>
          api().post('/api/v1/products').set(manager.headers).send({ name: `Racer ${i}`, sku: unique('RACE').toUpperCase(), price: 1, category: doomed.slug }),
        );
        const [deleted, ...created] = await Promise.all([api().delete(`/api/v1/categories/${doomed.id}`).set(manager.headers), ...creates]);
        const stored = await Product.countDocuments({ category: doomed.slug });
        expect(created.every((r) => r.status === 201 || r.status === 422)).toBe(true);
        if (deleted.status === 204) {
          expect(stored).toBe(0);
          expect(created.filter((r) => r.status === 201)).toHaveLength(0);
        } else {
          expectErrorContract(deleted, 409, 'CATEGORY_HAS_PRODUCTS');
          expect(await Category.exists({ _id: doomed.id })).not.toBeNull();
          expect(stored).toBe(created.filter((r) => r.status === 201).length);
        }
      }
    });

    it('when the category is empty, then it is deleted; an unknown id is 404', async () => {
      const lonely = await createCategory({ name: 'Lonely', slug: unique('lonely') });
      expect((await api().delete(`/api/v1/categories/${lonely.id}`).set(manager.headers)).status).toBe(204);
      expectErrorContract(await api().delete(`/api/v1/categories/${lonely.id}`).set(manager.headers), 404, 'CATEGORY_NOT_FOUND');
    });
  });

  describe('product writes name a category', () => {
    it('when a product names an unknown category, then 422 UNKNOWN_CATEGORY and nothing is stored or changed', async () => {
      const { leaf } = await branch('write');
      const sku = unique('NOCAT').toUpperCase();
      const created = await api().post('/api/v1/products').set(manager.headers).send({ name: 'Nowhere', sku, price: 1, category: unique('no-such') });
      expectErrorContract(created, 422, 'UNKNOWN_CATEGORY');
      expect(created.body.details[0]).toMatchObject({ location: 'body', path: 'category' });
      expect(await Product.exists({ sku })).toBeNull();

      const product = await createProduct(leaf.slug);
      const before = await productOf(product.id);
      expectErrorContract(await api().patch(`/api/v1/products/${product.id}`).set(manager.headers).send({ version: product.version, category: unique('no-such'), price: 99 }), 422, 'UNKNOWN_CATEGORY');
      expect(await productOf(product.id)).toEqual(before);
    });

    it('when a product is filed under a nested category or moved to another, then its path and the filters follow', async () => {
      const { root, leaf } = await branch('refile');
      const other = await createCategory({ name: 'refile other', slug: unique('refile-other') });
      const product = await createProduct(leaf.slug);
      expect(await productOf(product.id)).toMatchObject({ category: leaf.slug, categoryPath: [root.slug, expect.any(String), leaf.slug] });
      expect(await listed(root.slug)).toEqual([product.id]);

      const res = await api().patch(`/api/v1/products/${product.id}`).set(manager.headers).send({ version: product.version, category: other.slug });
      expectSuccess(res);
      expect(res.body.data.category).toBe(other.slug);
      expect((await productOf(product.id)).categoryPath).toEqual([other.slug]);
      expect(await listed(root.slug)).toEqual([]);
      expect(await listed(other.slug)).toEqual([product.id]);
    });
  });
});
