"""National single sign-on (DVCQG SSO, which federates VNeID): a simulator of the provider.

The relying-party side (our users signing in) is ``motcua.accounts.oidc``; it speaks plain OpenID Connect
and needs no code here. ``simulator`` is a stand-alone OpenID Connect provider for development and tests
(see docs/adr/0007-sign-in-oidc.md).
"""
