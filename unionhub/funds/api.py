"""Funds over the API. Every POST that moves money takes an ``Idempotency-Key`` header: the same
key posts once, and a retry with the same body gets the first answer back; the key reused for a
different request (anything it carries that is stored differs: the amount, fund, donor, date,
method, reason, voucher…) is refused with 409 ``idempotency_key_reused``."""

from __future__ import annotations

import hashlib

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from unionhub.cases.models import Case, ServiceCategory
from unionhub.core.money import MAX_AMOUNT, MAX_DIGITS, amount_too_large_message
from unionhub.core.pagination import BoundedPageNumberPagination
from unionhub.core.validators import TEXT_LIMIT, validate_plausible_date
from unionhub.enterprises.models import Enterprise
from unionhub.funds import services
from unionhub.funds.models import Approval, Disbursement, Donation, Fund, LedgerEntry
from unionhub.workers.models import Worker

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "A unique key per intended posting; repeating it with the same body never posts twice "
        "and answers what the first answered. Reused with a different body (any value that is "
        "stored differs: amount, fund, donor, date, channel, method, reason, voucher…), it is "
        "refused with 409 `idempotency_key_reused`. Any length: the whole key counts (keys "
        "over 80 characters are kept as their SHA-256 digest), so keys that differ anywhere "
        "are different requests."
    ),
)


# What an approver's comment or a cancellation's reason keeps (the longest the payment stores).
COMMENT_LIMIT = 300

# Keys up to this length are stored as sent (with the caller's id); a longer one by its digest.
KEY_KEPT_AS_SENT = 80


def idempotency_key(request) -> str:
    """The stored form of the caller's key: two keys that differ anywhere, however long, are
    two requests (a key is never cut short)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ValidationError({"Idempotency-Key": [_("This header is required for money moves.")]})
    if len(key) <= KEY_KEPT_AS_SENT:
        return f"api:{request.user.pk}:{key}"
    # "#" where a key sent as is has ":": a digest never equals a key stored as sent.
    return f"api:{request.user.pk}#{hashlib.sha256(key.encode()).hexdigest()}"


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "up_to": {
                    "type": "string",
                    "format": "decimal",
                    "nullable": True,
                    "description": "Up to this amount in yuan; null: any amount above.",
                },
                "approvers": {"type": "integer", "minimum": 1},
            },
            "required": ["up_to", "approvers"],
        },
        "description": (
            "Approvers a payment needs, by amount (together with the worker's other requests "
            "from the fund in the last 30 days); rising limits, the last open-ended."
        ),
    }
)
class ApprovalTiersField(serializers.Field):
    """A fund's tiers as the rules apply them: ``up_to`` a two-decimal yuan string or null."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="approval_rules", read_only=True, **kwargs)

    def to_representation(self, rules) -> list[dict]:
        return [
            {"up_to": None if limit is None else f"{limit:.2f}", "approvers": approvers}
            for limit, approvers in rules
        ]


class FundSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    approval_tiers = ApprovalTiersField()
    unratified_advances = serializers.IntegerField(source="unratified", read_only=True)
    committed = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text="Approved, not yet paid."
    )
    available = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text="Balance less what is committed."
    )

    class Meta:
        model = Fund
        fields = [
            "id",
            "code",
            "name",
            "organization",
            "organization_name",
            "balance",
            "approval_tiers",
            "advance_cap",
            "closed_through",
            "is_active",
            "unratified_advances",
            "committed",
            "available",
        ]


class EntrySerializer(serializers.ModelSerializer):
    running_balance = serializers.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=2,
        read_only=True,
        help_text=(
            "The balance after this entry in booking order (booking date, then posting): the "
            "figure the statement agrees with. balance_after is the balance when it was posted."
        ),
    )

    description = serializers.CharField(
        read_only=True,
        help_text=(
            "What the entry is, in the caller's language, as the ledger page shows it: a "
            "payment's category and request number, a transfer's other fund, what a reversal "
            "reverses; else the memo."
        ),
    )
    donation = serializers.UUIDField(
        source="donation.public_id",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The donation booked (or reversed), as `/donations/{public_id}/` knows it.",
    )
    disbursement = serializers.UUIDField(
        source="disbursement.public_id",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The payment made (or reversed), as `/disbursements/{id}/` knows it.",
    )
    reverses = serializers.IntegerField(
        source="reverses_id",
        read_only=True,
        allow_null=True,
        help_text="The `id` of the entry of this ledger that this reversal reverses.",
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "amount",
            "running_balance",
            "balance_after",
            "entry_date",
            "posted_at",
            "description",
            "memo",
            "donation",
            "disbursement",
            "reverses",
        ]


class FundViewSet(viewsets.ReadOnlyModelViewSet):
    """Funds of the caller's organisations, with their balances."""

    serializer_class = FundSerializer

    def get_queryset(self):
        from django.db.models import Count, Q

        return (
            Fund.objects.visible_to(self.request.user)
            .select_related("organization")
            .annotate(
                unratified=Count(
                    "disbursements",
                    filter=Q(
                        disbursements__is_advance=True,
                        disbursements__status=Disbursement.Status.PAID,
                        disbursements__ratified_at__isnull=True,
                    ),
                )
            )
            .order_by("organization__path", "name")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list":  # funds: with what is committed
            page = services.with_commitments(page)
        return page

    def get_object(self):
        fund = super().get_object()
        if self.action == "retrieve":
            services.with_commitments([fund])
        return fund

    @extend_schema(responses=EntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=BoundedPageNumberPagination)
    def ledger(self, request, pk=None):
        """The fund's entries, newest first by booking date, with the balance after each."""
        fund = self.get_object()
        page = self.paginate_queryset(services.ledger_entries(fund).described())
        page = services.with_counterparts(services.with_running_balances(fund, list(page)))
        return self.get_paginated_response(EntrySerializer(page, many=True).data)


class AmountField(serializers.DecimalField):
    """Yuan with two decimals; anything above the largest single amount is refused with the same
    message as the pages' (not "too many digits")."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", 30)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            # "1e400" has too many digits for any field: it is an amount far too large.
            too_many = {"max_digits", "max_whole_digits", "max_string_length"}
            if too_many & set(error.get_codes()) and not str(data).strip().startswith("-"):
                raise serializers.ValidationError(amount_too_large_message()) from None
            raise
        if value > MAX_AMOUNT:
            raise serializers.ValidationError(amount_too_large_message())
        return value


class DonationSerializer(serializers.ModelSerializer):
    amount = AmountField()
    donor_kind = serializers.ChoiceField(
        choices=Donation.DonorKind.choices,
        help_text=(
            "Where the money came from: a donation (person, enterprise, anonymous), or money "
            "allotted to the fund: an allocation from a higher union (allocation) or a public "
            "grant (grant), which gets a record of receipt instead of a donation receipt and is "
            "listed on a disclosure as a source of funds. An allocation or a grant names the "
            "sending body in donor_name and has no donor_enterprise."
        ),
    )
    reversed_at = serializers.DateTimeField(
        read_only=True,
        default=None,
        allow_null=True,
        help_text="When the donation was reversed: its receipt is void. Null while it stands.",
    )
    fund = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Fund.objects.none(),
        error_messages={"does_not_exist": gettext_lazy("Unknown fund.")},
        help_text="The fund's code.",
    )
    donor_enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.none(),
        required=False,
        allow_null=True,
        error_messages={
            "does_not_exist": gettext_lazy("Unknown enterprise."),
            "incorrect_type": gettext_lazy("Unknown enterprise."),
        },
    )

    class Meta:
        model = Donation
        fields = [
            "public_id",
            "fund",
            "receipt_number",
            "donor_kind",
            "donor_name",
            "donor_enterprise",
            "amount",
            "channel",
            "received_on",
            "collection",
            "note",
            "reversed_at",
        ]
        read_only_fields = ["public_id", "receipt_number", "reversed_at"]
        extra_kwargs = {"received_on": {"validators": [validate_plausible_date]}}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Any fund the caller sees: one they may not book on is refused (403) by the
            # service, as a payment request is; one outside their scope is unknown.
            self.fields["fund"].queryset = Fund.objects.visible_to(request.user)
            self.fields["donor_enterprise"].queryset = Enterprise.objects.visible_to(request.user)


class DonationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DonationSerializer
    lookup_field = "public_id"

    def get_queryset(self):
        return Donation.objects.visible_to(self.request.user).with_reversal().select_related("fund")

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request):
        data = DonationSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        donation = services.donation_record(
            actor=request.user, idempotency_key=idempotency_key(request), **values
        )
        return Response(DonationSerializer(donation).data, status=status.HTTP_201_CREATED)


class ApprovalSerializer(serializers.ModelSerializer):
    approver = serializers.CharField(source="approver.get_full_name")

    class Meta:
        model = Approval
        fields = ["approver", "decision", "is_ratification", "comment", "decided_at"]


class DisbursementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    fund = serializers.CharField(source="fund.code")
    worker = serializers.UUIDField(source="worker.public_id")
    worker_name = serializers.CharField(source="worker.name")
    case = serializers.UUIDField(source="case.public_id", allow_null=True, default=None)
    category = serializers.CharField(source="category.code")
    requested_by = serializers.CharField(source="requested_by.get_full_name")
    approvals = ApprovalSerializer(many=True, read_only=True)
    is_unratified = serializers.BooleanField(read_only=True)
    recent_total = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        help_text=(
            "This request's amount plus what the worker asked the fund for in the related-requests "
            "window before it, as things stand now (earlier requests since rejected, cancelled or "
            "reversed left out). Above `amount`, approvers are looking at one of several requests."
        ),
    )
    shortfall = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        help_text=(
            "For a payment still to be paid: how much more the fund must hold to pay it as well "
            "as the payments already approved. 0.00 when it can be paid."
        ),
    )

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "fund",
            "case",
            "worker",
            "worker_name",
            "category",
            "amount",
            "method",
            "status",
            "urgent",
            "is_advance",
            "is_unratified",
            "approvals_required",
            "combined_amount",
            "recent_total",
            "shortfall",
            "reason",
            "requested_by",
            "requested_at",
            "approved_at",
            "paid_at",
            "payment_reference",
            "ratify_due_at",
            "ratified_at",
            "ratification_refused_at",
            "approvals",
        ]


class DisbursementCreateSerializer(serializers.Serializer):
    fund = serializers.CharField(help_text="The fund's code.")
    case = serializers.UUIDField(required=False, help_text="The request it pays for.")
    worker = serializers.UUIDField(required=False, help_text="Needed when there is no request.")
    category = serializers.CharField(required=False, help_text="Category code (no request).")
    amount = AmountField()
    method = serializers.ChoiceField(choices=Disbursement.Method.choices)
    reason = serializers.CharField(max_length=TEXT_LIMIT)
    urgent = serializers.BooleanField(default=False)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=COMMENT_LIMIT
    )


class PaySerializer(serializers.Serializer):
    # Required by the service, which names the voucher the payment's method needs.
    payment_reference = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=60,
        help_text="The bank slip number of a transfer, or the number of the receipt or delivery "
        "note the recipient signed.",
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=COMMENT_LIMIT)


class DisbursementFilter(django_filters.FilterSet):
    # An unknown status is refused (400), not ignored: ignored, it would list every payment.
    status = django_filters.ChoiceFilter(choices=Disbursement.Status.choices)

    class Meta:
        model = Disbursement
        fields = ["status"]


class DisbursementViewSet(viewsets.ReadOnlyModelViewSet):
    """Payments of the caller's funds; POST actions decide, pay and cancel."""

    serializer_class = DisbursementSerializer
    filterset_class = DisbursementFilter
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    pagination_class = BoundedPageNumberPagination

    def get_queryset(self):
        disbursements = (
            Disbursement.objects.visible_to(self.request.user)
            .select_related("fund", "worker", "case", "category", "requested_by")
            .prefetch_related("approvals__approver")
            .with_recent_total()
        )
        return disbursements.order_by("-urgent", "-requested_at", "-id")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:  # each with what its fund lacks to pay it
            page = services.with_shortfalls(page)
        return page

    def get_object(self):
        disbursement = super().get_object()
        if self.action == "retrieve":  # actions answer with ``_fresh``, which adds it
            services.with_shortfalls([disbursement])
        return disbursement

    @extend_schema(
        request=DisbursementCreateSerializer,
        responses={201: DisbursementSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def create(self, request):
        data = DisbursementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        fund = Fund.objects.visible_to(user).filter(code=values["fund"]).first()
        if fund is None:
            raise ValidationError({"fund": [_("Unknown fund.")]})
        case = None
        worker = None
        category = None
        if values.get("case"):
            case = Case.objects.visible_to(user).filter(public_id=values["case"]).first()
            if case is None:
                raise ValidationError({"case": [_("Unknown request.")]})
            worker = case.worker
        else:
            worker = Worker.objects.visible_to(user).filter(public_id=values.get("worker")).first()
            category = ServiceCategory.objects.filter(code=values.get("category") or "").first()
            if worker is None:
                raise ValidationError({"worker": [_("Unknown worker.")]})
        disbursement = services.disbursement_request(
            actor=user,
            fund=fund,
            case=case,
            worker=worker,
            category=category,
            amount=values["amount"],
            method=values["method"],
            reason=values["reason"],
            urgent=values["urgent"],
            idempotency_key=idempotency_key(request),
        )
        return Response(self._fresh(disbursement), status=status.HTTP_201_CREATED)

    def _fresh(self, disbursement) -> dict:
        [fresh] = services.with_shortfalls([self.get_queryset().get(pk=disbursement.pk)])
        return DisbursementSerializer(fresh).data

    def _act(self, request, serializer_class, run, disbursement=None):
        disbursement = disbursement or self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        run(disbursement, data.validated_data)
        return Response(self._fresh(disbursement))

    @extend_schema(request=CommentSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, id=None):
        return self._act(
            request,
            CommentSerializer,
            lambda d, v: services.disbursement_approve(
                actor=request.user, disbursement=d, comment=v["comment"]
            ),
        )

    @extend_schema(request=CommentSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, id=None):
        return self._act(
            request,
            CommentSerializer,
            lambda d, v: services.disbursement_reject(
                actor=request.user, disbursement=d, comment=v["comment"]
            ),
        )

    @extend_schema(
        request=PaySerializer, responses=DisbursementSerializer, parameters=[IDEMPOTENCY_HEADER]
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, id=None):
        # A payment outside the caller's scope answers 404 before the request itself is judged.
        disbursement = self.get_object()
        key = idempotency_key(request)
        return self._act(
            request,
            PaySerializer,
            lambda d, v: services.disbursement_pay(
                actor=request.user,
                disbursement=d,
                payment_reference=v["payment_reference"],
                idempotency_key=key,
            ),
            disbursement,
        )

    @extend_schema(request=CancelSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, id=None):
        return self._act(
            request,
            CancelSerializer,
            lambda d, v: services.disbursement_cancel(
                actor=request.user, disbursement=d, reason=v["reason"]
            ),
        )

    @extend_schema(request=CommentSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def ratify(self, request, id=None):
        return self._act(
            request,
            CommentSerializer,
            lambda d, v: services.advance_ratify(
                actor=request.user, disbursement=d, comment=v["comment"]
            ),
        )

    @extend_schema(request=CommentSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"], url_path="refuse-ratification")
    def refuse_ratification(self, request, id=None):
        """Refuse to ratify an emergency advance (a comment saying why is required); it is
        reported to the organisation above and can no longer be ratified."""
        return self._act(
            request,
            CommentSerializer,
            lambda d, v: services.advance_refuse_ratification(
                actor=request.user, disbursement=d, comment=v["comment"]
            ),
        )
