"""An exchange: a return (approved at once) and its replacement order, placed together in one append. The
replacement is held until the return is received (see `replacements`), or sourced at once with `advance`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.domain import returns
from app.domain.aggregates import ORDER
from app.domain.errors import DomainError, refuse_all
from app.domain.returns import Return
from app.domain.streams import order_stream

from . import replacements
from .returns import change_return
from .unit_of_work import UnitOfWork


async def exchange_items(uow: UnitOfWork, command: returns.RequestExchange) -> Return | None:
    with _under("returnLines"):
        exchange = await change_return(uow, command)
    original = await uow.get(ORDER, order_stream(command.order_id))
    assert exchange is not None and original is not None  # the return was requested from it
    with _under("replacementLines"):
        await replacements.place(
            uow,
            command.replacement_order_id,
            original,
            command.replacement_lines,
            command.return_id,
            hold=not command.advance,
        )
    return exchange


@contextmanager
def _under(name: str) -> Iterator[None]:
    """Refusals about `lines` name the exchange's own input field: its return lines or its replacement's."""
    try:
        yield
    except DomainError as refused:
        renamed: list[DomainError] = []
        for reason in refused.reasons:
            field = reason.field
            if field and field[0] == "lines":
                field = (name, *field[1:])
            renamed.append(DomainError(reason.message, field=field, code=reason.code))
        refuse_all(renamed)
        raise
