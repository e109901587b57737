// Runs a Mongoose query as a plain-object read, now: `exec()` is called here, so the query runs in
// the caller's async context (its request deadline, or none inside `withoutDeadline`) and the
// repository returns a real Promise — not a Query thenable that would run whenever it is awaited.
export function lean<T>(query: { lean(): { exec(): Promise<unknown> } }): Promise<T> {
  return query.lean().exec() as Promise<T>;
}
