// Queue gauges for /metrics: the metrics module calls this on scrape (one Redis round trip).
import { isManagedEmailQueue, type EmailQueue, type QueueStats } from './email/types';

/** Email queue counts by state (`failed` = dead letters); null when the queue cannot be inspected. */
export async function queueStats(queue: EmailQueue): Promise<{ email: QueueStats } | null> {
  return isManagedEmailQueue(queue) ? { email: await queue.stats() } : null;
}
