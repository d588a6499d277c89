from __future__ import annotations

from decimal import Decimal

from django import template

from unionhub.core.money import format_yuan, yuan_in_capitals

register = template.Library()


@register.filter
def yuan(value: Decimal) -> str:
    """``{{ amount|yuan }}`` → ``¥1,234.50``. Refuses floats and strings: money is a Decimal."""
    return format_yuan(value)


@register.filter
def yuan_capitals(value: Decimal) -> str:
    """``{{ amount|yuan_capitals }}`` → ``壹拾万元整`` (receipts)."""
    return yuan_in_capitals(value)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied (for pagination and sorting links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping, key):
    """``{{ mapping|get_item:key }}`` for dictionaries keyed by a variable."""
    return mapping.get(key) if hasattr(mapping, "get") else None


def _in_chinese() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("zh")


@register.simple_tag
def colon() -> str:
    """After a label: the full-width "：" in Chinese, ": " in English."""
    return "：" if _in_chinese() else ": "


@register.simple_tag
def between_sentences() -> str:
    """Between two sentences: nothing in Chinese (its full stop "。" spaces them), a space in
    English."""
    return "" if _in_chinese() else " "


@register.filter
def stars(value, out_of: int = 5) -> str:
    """``4|stars`` → "★★★★☆": a rating drawn, for the eye only (mark it aria-hidden)."""
    try:
        filled = max(0, min(int(value), out_of))
    except (TypeError, ValueError):
        return ""
    return "★" * filled + "☆" * (out_of - filled)


@register.filter
def percent(value) -> str:
    """``Decimal("0.30")|percent`` → "30%" (a share kept as a fraction, read as a percentage)."""
    try:
        share = Decimal(str(value)) * 100
    except (ArithmeticError, ValueError, TypeError):
        return ""
    return f"{share.normalize():f}%"


@register.simple_tag
def upload_end() -> str:
    """The last element of a form that carries files, after its button: a body cut off on the
    way arrives without it and is refused (``unionhub.core.views.whole_upload_required``)."""
    from django.utils.html import format_html

    from unionhub.core.forms import UPLOAD_END

    return format_html('<input type="hidden" name="{}" value="1">', UPLOAD_END)


@register.filter
def number_groups(value) -> str:
    """An ID number (18 characters: place, birth date, sequence) with the places where it may
    wrap on a narrow screen marked between its groups, so it never wraps inside one."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    text = str(value or "")
    if len(text) != 18:
        return text
    return mark_safe(
        "<wbr>".join(conditional_escape(part) for part in (text[:6], text[6:14], text[14:]))
    )
