from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(row: dict[str, Any], key: str) -> Any:
    """{{ row|get_item:key }}: a metric table's cell by its column key."""
    return row.get(key)


@register.filter
def percent(value: float | None) -> str:
    """0.1234 -> "12.3%"."""
    return "—" if value is None else f"{value * 100:.1f}%"
