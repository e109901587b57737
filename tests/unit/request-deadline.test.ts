// withoutDeadline: compensation and streamed exports run past the request deadline. A Mongoose
// Query is a lazy thenable — it runs when awaited — so the escape must hold for those too.
import { remainingRequestMs, runWithContext, withoutDeadline } from '../../src/utils/tracing';

/** A thenable that, like a Mongoose Query, does its work (here: reads the deadline) only in `then`. */
function lazyQuery(): PromiseLike<number | undefined> {
  return { then: (resolve, reject) => Promise.resolve().then(() => remainingRequestMs()).then(resolve, reject) };
}

describe('withoutDeadline', () => {
  const expired = () => {
    const cancel = new AbortController();
    cancel.abort(new Error('REQUEST_TIMEOUT'));
    return { requestId: 'r-1', signal: cancel.signal, deadline: Date.now() - 1 };
  };

  it('when the request deadline has passed, then a lazy query awaited inside the request fails', async () => {
    await expect(runWithContext(expired(), async () => await lazyQuery())).rejects.toThrow('REQUEST_TIMEOUT');
  });

  it('when a lazy query is run through withoutDeadline after the deadline, then it runs without one', async () => {
    await expect(runWithContext(expired(), async () => await withoutDeadline(() => lazyQuery()))).resolves.toBeUndefined();
  });

  it('when fn returns a plain value or a promise, then withoutDeadline returns it as is', async () => {
    expect(runWithContext(expired(), () => withoutDeadline(() => 7))).toBe(7);
    await expect(runWithContext(expired(), () => withoutDeadline(async () => remainingRequestMs()))).resolves.toBeUndefined();
  });
});
