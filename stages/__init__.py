"""The stage runners: the side-effecting shell around the pure packages.

crawl (crawlers/ -> mentions) -> analyse (nlp/ -> annotations) -> score (scoring/ -> events,
warnings) -> alert (alerts/ -> alerts, deliveries). Each reads what the previous stage stored,
works in transactions of bounded size, and can be rerun alone: progress is derived from the
tables, never held in memory between runs.
"""
