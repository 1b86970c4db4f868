"""The job queue (procrastinate on PostgreSQL).

- `queue.enqueue`: the only way app code queues a job, inside its own transaction.
- `runtime.tenant_transaction`: how a running job opens its transaction, tenant bound.
- `retry`: exponential backoff, then the dead-letter state (`failed`).
- `service`: a tenant's view of its jobs, and retrying a dead-lettered one.
- `tasks`: housekeeping of the queue itself. The worker lives in `workers/`.
"""
