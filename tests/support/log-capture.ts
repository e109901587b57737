// A winston transport that keeps every record the logger hands it, for tests that assert on logs.
// winston-transport is winston's own base class (installed with it), as the tests used before.
import Transport from 'winston-transport';

export type LogRecord = Record<string, unknown>;

const MESSAGE = Symbol.for('message');

export class MemoryTransport extends Transport {
  readonly records: LogRecord[] = [];

  override log(info: LogRecord, next: () => void): void {
    this.records.push(info);
    next();
  }

  /** The JSON lines the file transports would have written (winston's serialized message). */
  lines(): string[] {
    return this.records.map((record) => String((record as Record<symbol, unknown>)[MESSAGE]));
  }
}
