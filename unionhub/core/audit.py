"""Writing and reading the audit log.

``record()`` is called by services inside their transaction. Secrets are masked before they are
stored; ``describe()`` turns an action code into a translated sentence for the page.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhub.core.masking import mask_id_number, mask_mobile
from unionhub.core.models import AuditEntry
from unionhub.core.money import format_yuan
from unionhub.core.request_context import current_ip

# Keys whose values never reach the log in clear.
_MASKERS = {
    "id_number": mask_id_number,
    "mobile": mask_mobile,
}
_SECRET_KEYS = {"password", "token", "secret", "key", "otp"}

# Action code → sentence. Apps add theirs with ``register_actions`` in their AppConfig.ready().
_ACTIONS: dict[str, Any] = {}


def register_actions(actions: Mapping[str, Any]) -> None:
    _ACTIONS.update(actions)


# Action-code prefix → labels of the coded values its "from" and "to" hold (a request's status,
# say). Apps add theirs with ``register_value_labels`` beside their actions.
_VALUE_LABELS: dict[str, Mapping[str, Any]] = {}


def register_value_labels(action_prefix: str, labels: Mapping[str, Any]) -> None:
    _VALUE_LABELS[action_prefix] = labels


def _yuan(value: Any) -> str:
    try:
        return format_yuan(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def _moment(value: Any) -> str:
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "Y-m-d H:i")


def _share(value: Any) -> str:
    try:
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    except (InvalidOperation, ValueError):
        return str(value)


# What an entry's ``data`` says, key by key: the label shown and how its value reads.
_DETAILS: dict[str, tuple[Any, Callable[[Any], str]]] = {
    "reference": (_("Reference"), str),
    "amount": (_("Amount"), _yuan),
    "balance": (_("Balance after"), _yuan),
    "receipt": (pgettext_lazy("audit log", "Receipt number"), str),
    "ratify_by": (_("To be ratified by"), _moment),
    "until": (_("Public until"), _moment),
    "lines": (_("Lines"), str),
    "population": (_("Payments in the period"), str),
    "share": (_("Share sampled"), _share),
    "seed": (_("Seed"), str),
    "reason": (_("Reason"), str),
    "comment": (_("Comment"), str),
    "handling": (_("Reply"), str),
    "file": (_("File"), str),
}


# Action code → keys of its ``data`` that only it gives a meaning (the day a fund's books were
# closed through, say), read as ``_DETAILS`` reads the shared ones. Apps add theirs with
# ``register_details`` beside their actions.
_ACTION_DETAILS: dict[str, dict[str, tuple[Any, Callable[[Any], str]]]] = {}


def register_details(action: str, details: Mapping[str, tuple[Any, Callable[[Any], str]]]) -> None:
    _ACTION_DETAILS.setdefault(action, {}).update(details)


def describe_details(entry: AuditEntry) -> list[tuple[str, str]]:
    """What ``entry.data`` says, as (label, value) in the active language: amounts in yuan,
    times in Shanghai, a request's statuses by name. Keys without a meaning here are left out
    (they stay in the stored data); ``changes`` are described by ``describe_changes``."""
    data = entry.data if isinstance(entry.data, dict) else {}
    rows = []
    labels = next((v for prefix, v in _VALUE_LABELS.items() if entry.action.startswith(prefix)), {})
    if "from" in data:
        moved = [str(labels.get(str(data.get(k)), data.get(k) or "—")) for k in ("from", "to")]
        rows.append((str(pgettext_lazy("audit log", "Change")), " → ".join(moved)))
    elif data.get("to"):
        rows.append(
            (str(pgettext_lazy("audit log", "To")), str(labels.get(str(data["to"]), data["to"])))
        )
    if data.get("urgent") is True:
        rows.append((str(_("Urgent")), str(_("yes"))))
    if "approvals" in data and "needed" in data:
        rows.append((str(_("Approvals")), f"{data['approvals']} / {data['needed']}"))
    if data.get("period_start") and data.get("period_end"):
        rows.append(
            (
                str(pgettext_lazy("audit log", "Period")),
                _("%(start)s to %(end)s")
                % {"start": data["period_start"], "end": data["period_end"]},
            )
        )
    for key, (label, show) in {**_ACTION_DETAILS.get(entry.action, {}), **_DETAILS}.items():
        value = data.get(key)
        if value not in (None, ""):
            rows.append((str(label), show(value)))
    return rows


def mask_data(value: Any, key: str = "") -> Any:
    """Return ``value`` with secrets replaced and personal numbers masked, recursively."""
    lowered = key.lower()
    if isinstance(value, Mapping):
        return {str(k): mask_data(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(v, key) for v in value]
    if any(secret in lowered for secret in _SECRET_KEYS):
        return "***"
    for name, masker in _MASKERS.items():
        if name in lowered and isinstance(value, str):
            return masker(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def record(
    *,
    actor,
    action: str,
    target=None,
    organization=None,
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry. Call it inside the service's transaction."""
    if organization is None and target is not None:
        organization = _organization_of(target)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        organization=organization,
        data=mask_data(dict(data or {})),
        ip_address=current_ip(),
    )


def _blanked(value: Any, marker: str, keys: Collection[str] | None) -> Any:
    if isinstance(value, Mapping):
        return {
            key: _blanked(item, marker, None) if keys is None or key in keys else item
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_blanked(item, marker, keys) for item in value]
    return marker if isinstance(value, str) and value else value


def erase_personal(entries, *, label: Callable[[AuditEntry], str], marker: str, keys=None) -> int:
    """Blank what ``entries`` say about a person whose data was deleted (PIPL): every text value
    in ``data`` (or only those under ``keys``) becomes ``marker``, and the target's name
    ``label(entry)``. Keys and numbers stay, so each entry still says what kind of change it was;
    who made it, when, from where and for which organisation stay too."""
    count = 0
    for entry in entries.only("pk", "target_id", "data"):
        AuditEntry.objects.filter(pk=entry.pk).redact(
            target_label=label(entry)[:200], data=_blanked(entry.data, marker, keys)
        )
        count += 1
    return count


def changes(instance, fields: list[str], old: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the ``fields`` of ``instance`` that differ from ``old``."""
    diff = {}
    for name in fields:
        new = getattr(instance, name)
        if old.get(name) != new:
            diff[name] = [_plain(old.get(name)), _plain(new)]
    return diff


def snapshot(instance, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, str | int | bool) or value is None:
        return value
    if isinstance(value, list | dict):  # a JSON field's value stays JSON, to be read back
        return json.loads(json.dumps(value, default=str))
    return str(value)


def _organization_of(target):
    from unionhub.orgs.models import Organization

    if isinstance(target, Organization):
        return target
    return getattr(target, "organization", None)


# "app_label.model" and field name → how its stored value reads (a JSON list, say, that would
# otherwise show as Python text). Apps add theirs with ``register_field_display``.
_FIELD_DISPLAY: dict[tuple[str, str], Callable[[Any], str]] = {}


def register_field_display(model: str, field: str, show: Callable[[Any], str]) -> None:
    _FIELD_DISPLAY[(model.lower(), field)] = show


def describe_changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """``data["changes"]`` as (field label, old, new) in the active language: field names become
    their verbose names, choice values their labels, and values with a registered display read
    as it says."""
    changes = entry.data.get("changes") if isinstance(entry.data, dict) else None
    if not isinstance(changes, dict):
        return []
    model = entry.target_type.model_class() if entry.target_type_id else None
    rows = []
    for name, values in changes.items():
        label, choices = name, {}
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except Exception:  # a field that no longer exists keeps its raw name
                field = None
            if field is not None:
                label = str(getattr(field, "verbose_name", name))
                choices = {str(k): str(v) for k, v in (getattr(field, "choices", None) or [])}
        old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        show = _FIELD_DISPLAY.get((model._meta.label_lower, name)) if model is not None else None
        if show is not None:
            rows.append((label, show(old), show(new)))
            continue
        rows.append((label, choices.get(str(old), old), choices.get(str(new), new)))
    return rows


def describe(entry: AuditEntry) -> str:
    """A translated sentence for the entry, e.g. "revealed the full ID number"."""
    label = _ACTIONS.get(entry.action)
    return str(label) if label is not None else entry.action


register_actions(
    {
        "accounts.user.password_changed": _("changed their password"),
        "accounts.user.created": _("created a sign-in account"),
        "accounts.user.changed_by_operator": _("changed a sign-in account"),
        "core.calendar.set": _("recorded days in the holiday calendar"),
        "core.calendar.cleared": _("removed days from the holiday calendar"),
    }
)
