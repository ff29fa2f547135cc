"""Automatic persisted queries, Apollo's protocol: a client sends `extensions.persistedQuery.sha256Hash` (version
1) instead of the operation's text. A hash this process does not know is answered PERSISTED_QUERY_NOT_FOUND;
the client then sends the hash with the text, which registers it once the hash checks out; from then on the
hash alone is enough, by POST or — queries only — by GET (a URL a CDN can cache, naming no query text).

What a known hash saves: reading and decoding the text, and hashing it to find the parsed document — the text
handed to strawberry is the stored string itself, whose hash Python keeps, so ParserCache and ValidationCache
(keyed on the text, then on the document and the rules) hit without walking it. Nothing else changes: the
operation still goes through validation with this process's limits (depth, aliases, tokens, cost; a cached
validation is per document *and* rule set) and every resolver's access rule.

Entries are per view, so per schema: a hash names a text, and the text is validated against the schema each
request's rules bring. The registry is a bounded LRU: a flood of one-off registrations only costs the clients
of evicted operations one round trip to register again.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

from graphql import GraphQLError
from strawberry.http import GraphQLRequestData

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"


class PersistedQueryRefused(Exception):
    """The request names a persisted query this process cannot run; `error` is what the client reads."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.error = GraphQLError(message, extensions={"code": code})


class PersistedQueries:
    """sha256 hex digest -> the operation's text, the `maxsize` most recently used."""

    def __init__(self, maxsize: int = 1000) -> None:
        self.maxsize = maxsize
        self.texts: OrderedDict[str, str] = OrderedDict()

    def resolve(self, request: GraphQLRequestData) -> GraphQLRequestData:
        """The request with its text filled in from (or registered under) its hash; untouched without one.
        Raises PersistedQueryRefused for an unknown hash, a hash that is not the text's, or another version."""
        persisted = requested_hash(request)
        if persisted is None:
            return request
        if request.query is None:
            text = self.texts.get(persisted)
            if text is None:
                # Apollo clients read the message as well as the code to decide to send the text.
                raise PersistedQueryRefused("PersistedQueryNotFound", NOT_FOUND)
            self.texts.move_to_end(persisted)
            request.query = text
            return request
        if hashlib.sha256(request.query.encode()).hexdigest() != persisted:
            raise PersistedQueryRefused("provided sha does not match query", HASH_MISMATCH)
        self.texts[persisted] = request.query
        self.texts.move_to_end(persisted)
        if len(self.texts) > self.maxsize:
            self.texts.popitem(last=False)
        return request


def requested_hash(request: GraphQLRequestData) -> str | None:
    """The lowercase sha256 hex digest the request names, None when it names none."""
    persisted: Any = (request.extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryRefused("only version 1 of persisted queries is supported", NOT_SUPPORTED)
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise PersistedQueryRefused("persistedQuery.sha256Hash must be a sha256 hex digest", HASH_MISMATCH)
    return digest.lower()


def hash_only(request: GraphQLRequestData) -> bool:
    """A request naming its operation by hash alone: the only kind GET carries."""
    return request.query is None and (request.extensions or {}).get("persistedQuery") is not None
