"""The worker process: task registry, schedules."""
