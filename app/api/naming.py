"""GraphQL names of Python names, converted once: strawberry converts every argument's and input field's name to
camelCase again on every request (while converting arguments), 8% of the API's CPU on `fulfillmentOptions`."""

from __future__ import annotations

from strawberry.schema.name_converter import NameConverter


class CachedNameConverter(NameConverter):
    """strawberry's own conversion, remembered per name: the names are the code's, a fixed set (never input)."""

    def __init__(self) -> None:
        super().__init__(auto_camel_case=True)
        self._converted: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        converted = self._converted.get(name)
        if converted is None:
            converted = self._converted[name] = super().apply_naming_config(name)
        return converted
