"""The web session's cookie names, shared with ``registry.serving.hot_reads``.

The hot read path must not answer a logged-in browser from the anonymous cache.
"""

SESSION = "nestry_session"
CSRF = "nestry_csrf"
SESSION_MARK = SESSION.encode() + b"="
