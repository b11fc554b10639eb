import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CommittedTurn } from '../conversations/index.ts';
import type { JobAttempt } from '../jobs/index.ts';
import type { JobQueue } from '../store/index.ts';

/** Seconds: turns take milliseconds; a reply waiting on a connector can take seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The service's Prometheus metrics, in a registry of its own (several deployments in one process, as tests open,
 * never share counters): HTTP answers by route and status, turns and their latency, escalations by code, job
 * attempts, and the jobs waiting, running and dead (read from the queue when scraped). No label ever holds an id
 * or customer text.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  onRequest(props: { method: string; route: string; status: number; seconds: number }): void;
  onTurn(turn: CommittedTurn, now: number): void;
  onJobAttempt(attempt: JobAttempt): void;
}

export function createServiceMetrics(props: { jobs: JobQueue; processMetrics?: boolean }): ServiceMetrics {
  const registry = new Registry();
  if (props.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });
  const requests = new Counter({
    name: 'switchboard_http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (a stream counts until its headers are sent).',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const turns = new Counter({
    name: 'switchboard_turns_total',
    help: 'Committed turns, by what started them and what the guardrails decided.',
    labelNames: ['trigger', 'guardrail'],
    registers: [registry],
  });
  const turnSeconds = new Histogram({
    name: 'switchboard_turn_duration_seconds',
    help: 'Planning and committing one turn (NLU, guardrails, engine, the transaction), connector time excluded.',
    labelNames: ['trigger'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const replySeconds = new Histogram({
    name: 'switchboard_reply_latency_seconds',
    help: "From a customer message's arrival to the commit of the turn that answered it.",
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const escalations = new Counter({
    name: 'switchboard_escalations_total',
    help: 'Conversations handed to people, by escalation code.',
    labelNames: ['code'],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'switchboard_job_attempts_total',
    help: 'Job attempts, by queue and outcome (done, retry, dead).',
    labelNames: ['queue', 'outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'switchboard_jobs',
    help: 'Jobs by queue and state (queued, scheduled, active, dead), read from the queue when scraped; queue="all" sums them.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await props.jobs.counts();
      for (const state of ['queued', 'scheduled', 'active', 'dead'] as const) {
        this.set({ queue: 'all', state }, counts[state]);
      }
      for (const [queue, byState] of Object.entries(counts.byQueue)) {
        for (const [state, n] of Object.entries(byState)) this.set({ queue, state }, n);
      }
    },
  });
  return {
    registry,
    onRequest({ method, route, status, seconds }) {
      requests.inc({ method, route, status: String(status) });
      requestSeconds.observe({ method, route }, seconds);
    },
    onTurn({ report, durationMs, receivedAt }, now) {
      turns.inc({ trigger: report.trigger, guardrail: report.guardrail });
      turnSeconds.observe({ trigger: report.trigger }, durationMs / 1000);
      if (receivedAt !== undefined) replySeconds.observe(Math.max(0, now - receivedAt) / 1000);
      if (report.escalation) escalations.inc({ code: report.escalation.code });
    },
    onJobAttempt(attempt) {
      attempts.inc({ queue: attempt.queue, outcome: attempt.outcome });
    },
  };
}
