// A real SMTP server on loopback for email tests: records every message, and can reject the
// first k deliveries, reject all of them, or hold each one for a while (a slow provider).
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  readonly to: string[];
  readonly subject: string;
  readonly raw: string;
  readonly jobId: string | undefined;
}

export interface SmtpBehaviour {
  /** Reject this many deliveries (451, temporary) before accepting. */
  rejectFirst?: number;
  /** Reject every delivery (550). */
  rejectAll?: boolean;
  /** Hold each accepted delivery this long before answering 250. */
  delayMs?: number;
  /** Never answer the DATA command (a provider that hangs). */
  hang?: boolean;
}

export interface TestSmtpServer {
  readonly url: string;
  readonly received: ReceivedEmail[];
  /** When each delivery attempt (accepted or not) reached DATA, in ms since epoch. */
  readonly attemptTimes: number[];
  behaviour: SmtpBehaviour;
  close(): Promise<void>;
}

function header(raw: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(raw);
  return match?.[1].replace(/\r?\n[ \t]/g, ' ').trim();
}

export async function startSmtpServer(behaviour: SmtpBehaviour = {}): Promise<TestSmtpServer> {
  const received: ReceivedEmail[] = [];
  const attemptTimes: number[] = [];
  const state = { behaviour, rejected: 0 };
  // A message whose client hung up before our 250 was never accepted (the client will retry it).
  const closed = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onClose(session) {
      closed.add(session.id);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        attemptTimes.push(Date.now());
        const { rejectFirst = 0, rejectAll = false, delayMs = 0, hang = false } = state.behaviour;
        if (hang) return;
        if (rejectAll) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
        if (state.rejected < rejectFirst) {
          state.rejected += 1;
          return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        setTimeout(() => {
          if (closed.has(session.id)) return;
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: header(raw, 'Subject') ?? '',
            raw,
            jobId: header(raw, 'X-Email-Job-Id'),
          });
          callback();
        }, delayMs);
      });
    },
  });
  // A worker SIGKILLed mid-session resets its connection (read ECONNRESET); smtp-server emits that
  // as 'error' on the server, which with no listener is an uncaught exception that fails the whole
  // test file. For the sink it is a client that went away: onClose has already recorded it.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attemptTimes,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(next: SmtpBehaviour) {
      state.behaviour = next;
      state.rejected = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `probe` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(probe: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
