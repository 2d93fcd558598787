"""Paste filter for the e2e suite: noauth2 -> Glance token bridge.

With ``[api] auth_strategy = noauth2`` Nova builds a RequestContext without an
auth token, so every call Nova makes to Glance fails (AuthorizationFailure ->
500).  This filter sits right after ``noauth2`` in the noauth2 pipelines of the
e2e copy of api-paste.ini and copies the incoming ``X-Auth-Token`` into the
context's ``auth_token``.  Glance runs unauthenticated and ignores the token.
Nova's own code is not changed; the module is found through PYTHONPATH.
"""


class TokenBridge(object):
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        ctx = environ.get('nova.context')
        token = environ.get('HTTP_X_AUTH_TOKEN')
        if ctx is not None and token and not getattr(ctx, 'auth_token', None):
            ctx.auth_token = token
        return self.app(environ, start_response)


def filter_factory(global_conf, **local_conf):
    def _filter(app):
        return TokenBridge(app)
    return _filter
