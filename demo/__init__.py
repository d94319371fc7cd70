"""Bundled sample sites and the local HTTP server behind ``pipeline.py demo``.

See ``demo/SITES.md`` for the URL layout and selectors, and ``demo/story.py`` for what
the sample posts say and what the pipeline should make of them.
"""
