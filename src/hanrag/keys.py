"""Which API key goes to which server: a provider's key only to that provider's own host.

A ``hanrag.toml`` can name any URL (``openai-compatible:http://host/v1#model``); if
OPENAI_API_KEY followed it, opening a folder with a planted config would send the key away.
So the provider key is sent only to the provider's endpoint (or to a base URL the user set in
the environment, e.g. OPENAI_BASE_URL); another server gets the key named by its own setting
(``llm_api_key_env`` / ``embedder_api_key_env``), or none.
"""

from __future__ import annotations

import logging
import os
import threading
from urllib.parse import urlsplit

from hanrag.errors import ConfigError

_log = logging.getLogger("hanrag")
_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


def api_key_for(
    base_url: str | None, key_env: str | None, provider_env: str = "OPENAI_API_KEY", provider_host: str = "api.openai.com"
) -> str | None:
    """The key to send to ``base_url`` (None: the provider's own endpoint)."""
    if key_env:
        key = os.environ.get(key_env)
        if not key:
            raise ConfigError(f"the API key variable {key_env} (api_key_env setting) is not set")
        return key
    host = urlsplit(base_url).hostname if base_url else provider_host
    if host == provider_host:
        return os.environ.get(provider_env)
    if os.environ.get(provider_env):
        _warn_once(provider_env, host or base_url or "")
    return None


def _warn_once(variable: str, host: str) -> None:
    with _warned_lock:
        if (variable, host) in _warned:
            return
        _warned.add((variable, host))
    _log.warning("%s is not sent to %s (it is for the provider's own API); to send a key there, name its "
                 "variable in llm_api_key_env / embedder_api_key_env", variable, host)
