// The driver-level reads (repositories/lean.ts) skip Mongoose, so its deadline plugin does not see
// them: they must apply the request deadline themselves — capped maxTimeMS inside a request, no
// limit outside one, and no read at all once the deadline has passed.
import { countMatching, readMany, readOne } from '../../src/repositories/lean';
import { runWithContext } from '../../src/utils/tracing';

function recordingModel() {
  const calls: { op: string; filter: unknown; options: Record<string, unknown> }[] = [];
  const collection = {
    findOne: async (filter: unknown, options: Record<string, unknown>) => (calls.push({ op: 'findOne', filter, options }), { _id: 1 }),
    find: (filter: unknown, options: Record<string, unknown>) => (calls.push({ op: 'find', filter, options }), { toArray: async () => [{ _id: 1 }] }),
    countDocuments: async (filter: unknown, options: Record<string, unknown>) => (calls.push({ op: 'count', filter, options }), 3),
  };
  return { model: { collection } as unknown as Parameters<typeof readOne>[0], calls };
}

const inRequest = (msLeft: number) => ({ requestId: 'r-1', signal: new AbortController().signal, deadline: Date.now() + msLeft });

describe('driver-level repository reads', () => {
  it('when called inside a request, then each read carries a maxTimeMS no longer than the time left', async () => {
    const { model, calls } = recordingModel();
    await runWithContext(inRequest(400), async () => {
      await readOne(model, { _id: 1 }, { a: 1 });
      await readMany(model, { a: 1 }, { sort: { _id: 1 }, skip: 20, limit: 10 });
      await countMatching(model, { a: 1 });
    });
    expect(calls.map((c) => c.op)).toEqual(['findOne', 'find', 'count']);
    for (const { options } of calls) {
      expect(options.maxTimeMS).toBeGreaterThan(0);
      expect(options.maxTimeMS).toBeLessThanOrEqual(400);
    }
    expect(calls[0]!.options.projection).toEqual({ a: 1 });
    expect(calls[1]!.options).toMatchObject({ sort: { _id: 1 }, skip: 20, limit: 10 });
  });

  it('when called outside a request, then reads carry no time limit', async () => {
    const { model, calls } = recordingModel();
    await expect(readOne(model, { _id: 1 })).resolves.toEqual({ _id: 1 });
    await expect(readMany(model, {})).resolves.toEqual([{ _id: 1 }]);
    await expect(countMatching(model, {})).resolves.toBe(3);
    expect(calls.every((c) => c.options.maxTimeMS === undefined)).toBe(true);
  });

  it('when the request deadline has passed, then no read is sent and the caller gets REQUEST_TIMEOUT', async () => {
    const { model, calls } = recordingModel();
    const cancel = new AbortController();
    cancel.abort(new Error('REQUEST_TIMEOUT'));
    const expired = { requestId: 'r-2', signal: cancel.signal, deadline: Date.now() - 1 };
    await expect(runWithContext(expired, () => readOne(model, { _id: 1 }))).rejects.toThrow('REQUEST_TIMEOUT');
    await expect(runWithContext(expired, () => readMany(model, {}))).rejects.toThrow('REQUEST_TIMEOUT');
    await expect(runWithContext(expired, () => countMatching(model, {}))).rejects.toThrow('REQUEST_TIMEOUT');
    expect(calls).toEqual([]);
  });
});
