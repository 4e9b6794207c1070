"""The web UI: server-rendered pages to browse, search and read applications (issue 16).

``routes`` (thin endpoints) over ``views`` (what each page shows, gathered from the services
the JSON API uses, with the same access rules); ``readme`` (Markdown, sanitized),
``tree_svg`` (the nested-application picture), ``source`` (highlighted templates) are pure.
``pages`` renders Jinja2 templates into bytes; anonymous answers about public apps are kept as
ready bytes on the hot read path (``registry.serving.hot_reads``), invalidated by the change feed.
This module imports nothing so that ``registry.serving.hot_reads`` may import ``cookies``.
"""
