"""Click commands, one module per area. They raise domain errors and never exit:
pipeline.py is the one place that turns errors into messages and exit codes."""
