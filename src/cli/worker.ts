/**
 * The worker-thread side of a batch (run by piscina): one job per task. Progress goes back over
 * the task's MessagePort; an `abort` message on the same port stops the job (its output is
 * removed, nothing half-written stays).
 */
import type { MessagePort } from 'node:worker_threads';
import { runJob, type Job, type JobResult } from './jobs.js';

/** A task as the pool hands it over. */
export interface WorkerTask {
  readonly job: Job;
  readonly port: MessagePort;
}

export default async function work({ job, port }: WorkerTask): Promise<JobResult> {
  const controller = new AbortController();
  port.on('message', (m: unknown) => {
    if (m === 'abort') controller.abort(new Error('interrupted'));
  });
  let last = -1;
  try {
    return await runJob(
      job,
      (f) => {
        // At most about 200 messages per job.
        if (f - last >= 0.005 || f === 1) {
          last = f;
          port.postMessage(f);
        }
      },
      controller.signal,
    );
  } finally {
    port.close();
  }
}
