// Admin operations on the background queue: stats, dead letters and re-running one of them.
import type { DashboardTickets } from '../jobs/dashboard';
import type { EmailQueueAdmin, FailedEmailJob, QueueStats } from '../jobs/email/types';
import { ConflictError, NotFoundError, ServiceUnavailableError } from '../utils/errors';
import { logger } from '../utils/logger';

export interface JobAdminService {
  stats(): Promise<QueueStats>;
  listFailed(limit: number): Promise<FailedEmailJob[]>;
  retry(jobId: string, actorId: string): Promise<{ jobId: string; status: 'waiting' }>;
  dashboardLink(adminId: string): { url: string; expiresAt: string };
}

/**
 * `queue` is null when the configured queue cannot be inspected (e.g. a test fake); `tickets` is
 * null when the dashboard is disabled by config or there is no BullMQ queue to show.
 */
export function createJobAdminService(queue: EmailQueueAdmin | null, tickets: DashboardTickets | null = null): JobAdminService {
  function required(): EmailQueueAdmin {
    if (!queue) throw new ServiceUnavailableError('The job queue cannot be inspected in this deployment', 'JOB_QUEUE_UNAVAILABLE');
    return queue;
  }
  return {
    stats: () => required().stats(),
    listFailed: (limit) => required().listFailed(limit),
    async retry(jobId, actorId) {
      const outcome = await required().retryFailed(jobId);
      if (outcome === 'not-found') throw new NotFoundError(`No job ${jobId}`, 'JOB_NOT_FOUND');
      if (outcome === 'not-failed') throw new ConflictError(`Job ${jobId} is not in the failed set`, 'JOB_NOT_FAILED');
      // An audit line: who re-ran which dead letter.
      logger.info('failed job retried by admin', { jobId, actorId });
      return { jobId, status: 'waiting' };
    },
    dashboardLink(adminId) {
      if (!tickets) throw new NotFoundError('The queue dashboard is disabled in this deployment', 'DASHBOARD_DISABLED');
      logger.info('queue dashboard link issued', { adminId });
      return tickets.issueLink(adminId);
    },
  };
}
