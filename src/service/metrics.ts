import client from 'prom-client';

/** Prometheus metrics of one index process (own registry: several services can share a process in tests). */
export class IndexMetrics {
  readonly registry = new client.Registry();
  readonly enqueued = new client.Counter({
    name: 'beagle_jobs_enqueued_total',
    help: 'Package versions a feed turned into new scan jobs',
    labelNames: ['feed'],
    registers: [this.registry],
  });
  readonly feedErrors = new client.Counter({
    name: 'beagle_feed_errors_total',
    help: 'Feed polls that failed',
    labelNames: ['feed'],
    registers: [this.registry],
  });
  readonly scanned = new client.Counter({
    name: 'beagle_scans_total',
    help: 'Scans stored, by ecosystem and verdict',
    labelNames: ['ecosystem', 'verdict'],
    registers: [this.registry],
  });
  readonly failures = new client.Counter({
    name: 'beagle_job_failures_total',
    help: 'Failed job attempts, by outcome (retry or parked)',
    labelNames: ['ecosystem', 'outcome'],
    registers: [this.registry],
  });
  readonly scanSeconds = new client.Histogram({
    name: 'beagle_scan_duration_seconds',
    help: 'Download + scan time per package version',
    labelNames: ['ecosystem'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly latencySeconds = new client.Histogram({
    name: 'beagle_detection_latency_seconds',
    help: 'Registry publish time to stored verdict',
    labelNames: ['ecosystem'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400],
    registers: [this.registry],
  });
  readonly queueJobs = new client.Gauge({
    name: 'beagle_queue_jobs',
    help: 'Jobs by state (queued, active, done, parked)',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly verdicts = new client.Gauge({
    name: 'beagle_verdicts',
    help: 'Stored verdicts by ecosystem and verdict',
    labelNames: ['ecosystem', 'verdict'],
    registers: [this.registry],
  });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'beagle_process_' });
  }
}
