"""Scrapy spiders for html, forum and search sources, and their item pipelines and middleware.

Run them through ``crawlers.scrapy_run.run_spiders`` (a child process per run), never in-process.
"""
