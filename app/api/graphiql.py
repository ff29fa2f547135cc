"""GraphiQL as Meridian serves it: strawberry's page with its assets from this server (static/graphiql), opening
on the README's first query and, in development only, with the development admin token in its headers.

The token is never in the page: `meridian up` prints a GraphiQL link carrying it in the URL's fragment
(`#devToken=...`, as the console's link does), which the browser keeps to itself; the development page alone
holds the few lines that move it into the headers editor and drop it from the address bar. A production page
has no such lines, and the server knows no token to put anywhere.
"""

from __future__ import annotations

import functools
import json

GRAPHIQL_ASSETS_PATH = "/graphiql-assets"
_CDN = "https://unpkg.com/"

# README.md, "A first query": place an order, then ask where it ships from and why (the README's block, named so
# that both operations fit in one document; tests/e2e/test_graphiql.py keeps the two the same).
STARTER_QUERY = """\
# Meridian's first query (README.md, "A first query"): place an order, then ask where it ships from and why.
# Run PlaceOrder, put the order's id in the variables as {"id": "..."}, then run WhereItShipsFrom.

mutation PlaceOrder {
  placeOrder(input: {customerId: "c-1", lines: [{sku: "SKU-0001", quantity: 2}], shipTo: {postalCode: "10001"}}) {
    order { id status }
    userErrors { field message code }
  }
}

query WhereItShipsFrom($id: ID!) {
  order(id: $id) {
    status
    lines { sku quantity allocated backordered }
    shipments { location { code name } status promisedDelivery tracking { status occurredAt } }
    sourcingDecision { algorithm totalCost candidates { location { code } selected reason cost } }
    history { type at actor }
  }
}
"""

_EXAMPLE_START = "const EXAMPLE_QUERY = `"
_APP_START = "function GraphiQLWithExplorer()"
_FROM_FRAGMENT = """// Development: the admin token `meridian up` prints rides in the fragment (#devToken=...),
      // which no request carries; it goes into the headers editor, and out of the address bar.
      const devToken = new URLSearchParams(window.location.hash.slice(1)).get("devToken");
      if (devToken) {
        parameters.headers = JSON.stringify({ Authorization: `Bearer ${devToken}` }, null, 2);
        history.replaceState(null, "", window.location.pathname + window.location.search);
      }

      """


@functools.cache
def graphiql_page(page: str, *, development: bool) -> str:
    """Strawberry's GraphiQL `page` made Meridian's (see the module's docstring)."""
    if _EXAMPLE_START not in page or _APP_START not in page:
        raise RuntimeError("strawberry's GraphiQL page changed: app/api/graphiql.py no longer finds its anchors")
    before, rest = page.split(_EXAMPLE_START, 1)
    _, after = rest.split("`;", 1)
    # A JSON string is a valid JavaScript string literal: the query goes in without any escaping of ours.
    page = f"{before}const EXAMPLE_QUERY = {json.dumps(STARTER_QUERY)};{after}"
    if development:
        page = page.replace(_APP_START, _FROM_FRAGMENT + _APP_START, 1)
    return page.replace(_CDN, f"{GRAPHIQL_ASSETS_PATH}/")
