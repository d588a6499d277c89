"""Worker requests over the API: the same services as the pages, one POST action per transition.

Staff see the requests of their subtrees; a worker (e.g. through a mini-program) sees and opens
their own, and may withdraw, reopen and rate them. Lists use the queue's filters.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from unionhub.cases import services
from unionhub.cases.forms import QueueFilterForm
from unionhub.cases.models import Case, CaseEvent, FollowUp, ServiceCategory
from unionhub.core.access import access_for
from unionhub.core.api import DateField, DateTimeField
from unionhub.core.pagination import BoundedPageNumberPagination
from unionhub.core.permissions import IsAuthenticatedUser
from unionhub.orgs.models import Organization
from unionhub.workers.models import Worker

IDEMPOTENCY_NAMESPACE = uuid.UUID("9b0d5b1e-7f3c-4e7a-9a53-3c2f0a6b8e11")

# What a referral answers when the request left the caller's organisations: no more than that.
REFERRED_AWAY = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": [Case.Status.REFERRED.value]},
    },
    "required": ["id", "status"],
    "additionalProperties": False,
}


class ServiceCategorySerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = ServiceCategory
        fields = [
            "id",
            "code",
            "label",
            "name",
            "name_en",
            "description",
            "response_sla_hours",
            "resolution_sla_hours",
            "is_emergency",
            "allows_payment",
            "followup_plan",
        ]


class ServiceCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue of help on offer (any signed-in user, workers included)."""

    serializer_class = ServiceCategorySerializer
    permission_classes = [IsAuthenticatedUser]
    queryset = ServiceCategory.objects.filter(is_active=True)


STAFF_ONLY_NOTE = "Staff only: absent when a worker reads their own request."


class EventSerializer(serializers.ModelSerializer):
    """A step on the request's timeline. A worker reading their own request gets the steps shown
    to them, each with ``created_at``, ``kind`` and ``public_message`` only."""

    actor = serializers.CharField(
        source="actor.get_full_name",
        default=None,
        allow_null=True,
        help_text=f"Who took the step; null for the system. {STAFF_ONLY_NOTE}",
    )
    body = serializers.CharField(
        source="body_text",
        required=False,
        help_text=f"What staff see, in the caller's language. {STAFF_ONLY_NOTE}",
    )
    public_message = serializers.CharField(
        source="public_text", help_text="What the worker is told, in the caller's language."
    )

    class Meta:
        model = CaseEvent
        fields = [
            "created_at",
            "kind",
            "from_status",
            "to_status",
            "actor",
            "body",
            "public_message",
        ]
        extra_kwargs = {
            "from_status": {"help_text": STAFF_ONLY_NOTE},
            "to_status": {"help_text": STAFF_ONLY_NOTE},
        }


class PublicEventSerializer(serializers.ModelSerializer):
    public_message = serializers.CharField(source="public_text")

    class Meta:
        model = CaseEvent
        fields = ["created_at", "kind", "public_message"]


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["id", "kind", "due_on", "status", "done_at", "outcome"]


class CaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    category = serializers.CharField(source="category.code")
    category_label = serializers.CharField(source="category.label")
    worker = serializers.UUIDField(source="worker.public_id")
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    assignee_name = serializers.CharField(
        source="assignee.get_full_name", default=None, allow_null=True
    )
    sla_state = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "urgency",
            "channel",
            "category",
            "category_label",
            "summary",
            "worker",
            "worker_name",
            "organization",
            "organization_name",
            "assignee_name",
            "submitted_at",
            "updated_at",
            "sla_due_at",
            "sla_state",
        ]

    def get_sla_state(self, case) -> str | None:
        return case.sla_state()


class CaseDetailSerializer(CaseSerializer):
    """A request with its timeline and follow-ups. A worker reading their own request gets no
    ``reporter_*`` fields, an empty ``followups`` and the timeline steps shown to them (``events``
    items with ``created_at``, ``kind`` and ``public_message`` only). The reporter's phone is
    masked (``139****8852``) for staff who may not handle the request."""

    events = serializers.SerializerMethodField(
        help_text="The timeline, oldest first; a worker gets the steps shown to them only."
    )
    followups = serializers.SerializerMethodField(help_text="Empty for a worker.")

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "description",
            "preferred_contact_time",
            "response_due_at",
            "resolution_due_at",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "resolution_summary",
            "reject_reason",
            "rating",
            "rating_comment",
            "reporter_name",
            "reporter_relation",
            "reporter_phone",
            "occurred_at",
            "events",
            "followups",
        ]
        extra_kwargs = {
            "reporter_name": {
                "help_text": f"Who reported it, if not the worker. {STAFF_ONLY_NOTE}"
            },
            "reporter_relation": {"help_text": STAFF_ONLY_NOTE},
            "reporter_phone": {
                "help_text": ("Masked unless the caller may handle the request. " + STAFF_ONLY_NOTE)
            },
        }

    STAFF_ONLY = ("reporter_name", "reporter_relation", "reporter_phone")

    def to_representation(self, case) -> dict:
        data = super().to_representation(case)
        if self.context.get("as_worker"):  # who told the union is the staff's to know
            for name in self.STAFF_ONLY:
                data.pop(name, None)
        elif "reporter_phone" in data:
            # A third party's number: in full only for those who may handle the request.
            user = getattr(self.context.get("request"), "user", None)
            data["reporter_phone"] = services.reporter_phone_for(case, user)
        return data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case) -> list[dict]:
        if self.context.get("as_worker"):
            return PublicEventSerializer(case.worker_events(case.events.all()), many=True).data
        return EventSerializer(case.events.all(), many=True).data

    @extend_schema_field(FollowUpSerializer(many=True))
    def get_followups(self, case) -> list[dict]:
        if self.context.get("as_worker"):
            return []
        return FollowUpSerializer(case.followups.all(), many=True).data


class CaseCreateSerializer(serializers.Serializer):
    worker = serializers.UUIDField(
        required=False, help_text="Staff: the worker's id. Workers open requests for themselves."
    )
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceCategory.objects.filter(is_active=True)
    )
    channel = serializers.ChoiceField(choices=Case.Channel.choices, required=False)
    urgency = serializers.ChoiceField(choices=Case.Urgency.choices, default=Case.Urgency.NORMAL)
    summary = serializers.CharField(max_length=100)
    description = serializers.CharField()
    preferred_contact_time = serializers.CharField(max_length=50, required=False, default="")
    organization = serializers.IntegerField(required=False)
    reporter_name = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="Staff: who reported it."
    )
    reporter_relation = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="e.g. colleague, spouse."
    )
    reporter_phone = serializers.CharField(required=False, default="", allow_blank=True)
    occurred_at = DateTimeField(
        required=False, default=None, allow_null=True, help_text="When it happened."
    )


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(help_text="The colleague's user id.")


class TextSerializer(serializers.Serializer):
    text = serializers.CharField()


class ContactSerializer(serializers.Serializer):
    summary = serializers.CharField()
    counselling = serializers.CharField(required=False, default="", allow_blank=True)
    happened_at = DateTimeField(required=False, default=None)
    followup = serializers.IntegerField(required=False, default=None)


class ReferSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    reason = serializers.CharField()


class SendBackSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why: the organisation that referred it reads it.")


class ReferPartSerializer(ReferSerializer):
    summary = serializers.CharField(max_length=100, required=False, default="")


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, default="")


class WithdrawSerializer(serializers.Serializer):
    # Optional: an empty reason is the same as none (the worker need not say why).
    reason = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="Optional: why, in a few words."
    )


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, default="", allow_blank=True)


class ScheduleFollowUpSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[FollowUp.Kind.VISIT, FollowUp.Kind.CALL])
    due_on = DateField()


class MoveFollowUpSerializer(serializers.Serializer):
    followup = serializers.IntegerField(help_text="The follow-up's id (see `followups`).")
    due_on = DateField()
    reason = serializers.CharField()


class SkipFollowUpSerializer(serializers.Serializer):
    followup = serializers.IntegerField(help_text="The follow-up's id (see `followups`).")
    reason = serializers.CharField()


class AddInfoSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, default="", allow_blank=True)
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=5,
        help_text="Photos (JPEG, PNG, WebP) or PDFs, sent as multipart/form-data; up to 5.",
    )


class RateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, default="", max_length=500)


def _idempotency_key(request) -> uuid.UUID | None:
    """A UUID key as sent; any other key (of any length, all of it) as its name-based UUID."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    try:
        return uuid.UUID(key)
    except ValueError:
        return uuid.uuid5(IDEMPOTENCY_NAMESPACE, key)


QUEUE_PARAMETERS = [
    OpenApiParameter(
        "q",
        str,
        description="Reference, worker's name or its pinyin, mobile or ID number tail, or text. "
        "Several words (space-separated): requests that match every one. `尾号1234`: the "
        "mobile's tail only.",
    ),
    OpenApiParameter(
        "status",
        str,
        description="A status, `all`, `to_accept` (submitted or referred, not yet accepted), or "
        "empty for open requests.",
    ),
    OpenApiParameter("sla", str, enum=Case.SlaState.values),
    OpenApiParameter("category", int, description="Category id."),
    OpenApiParameter("urgency", str, enum=Case.Urgency.values),
    OpenApiParameter("organization", int, description="Owned by this organisation or below."),
    OpenApiParameter("assignee", str, description="`me`, `none` or a user id."),
    OpenApiParameter("since", OpenApiTypes.DATE),
    OpenApiParameter("until", OpenApiTypes.DATE),
    OpenApiParameter("sort", str, enum=["newest", "oldest", "due", "updated"]),
]


@extend_schema_view(list=extend_schema(parameters=QUEUE_PARAMETERS))
class CaseViewSet(viewsets.GenericViewSet):
    """Requests: list (the queue's filters), retrieve, create, and one POST per action."""

    permission_classes = [IsAuthenticatedUser]
    pagination_class = BoundedPageNumberPagination
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    serializer_class = CaseSerializer

    @property
    def as_worker(self) -> bool:
        return not access_for(self.request.user).is_staff_member

    def get_queryset(self):
        if self.as_worker:
            cases = Case.objects.of_worker_user(self.request.user)
        else:
            cases = Case.objects.visible_to(self.request.user)
        return cases.select_related("category", "organization", "assignee", "worker")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "as_worker": self.as_worker}

    def list(self, request):
        cases = self.get_queryset()
        if not self.as_worker:
            form = QueueFilterForm(request.query_params, user=request.user, for_page=False)
            if not form.is_valid():
                raise ValidationError(form.errors)
            cases = form.filter(cases)
        else:
            cases = cases.order_by("-submitted_at", "-id")
        page = self.paginate_queryset(cases)
        data = CaseSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(responses=CaseSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="referred-on")
    def referred_on(self, request):
        """The requests the caller's organisations referred on as a whole and no longer own, where
        each stands now (status, owner, assignee), newest first: the staff page "Referred on".
        Their timelines stay with their new owners."""
        cases = (
            Case.objects.referred_out_by(request.user)
            .select_related("category", "organization", "assignee", "worker")
            .order_by("-submitted_at", "-id")
        )
        page = self.paginate_queryset(cases)
        return self.get_paginated_response(CaseSerializer(page, many=True).data)

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request, id=None):
        return Response(self._detail(self.get_object()))

    def _detail(self, case) -> dict:
        case = (
            self.get_queryset()
            .prefetch_related(
                Prefetch("events", CaseEvent.objects.select_related("actor")), "followups"
            )
            .get(pk=case.pk)
        )
        return CaseDetailSerializer(case, context=self.get_serializer_context()).data

    @extend_schema(
        request=CaseCreateSerializer,
        responses={
            201: OpenApiResponse(CaseDetailSerializer, description="The request was opened."),
            200: OpenApiResponse(
                {"oneOf": [{"$ref": "#/components/schemas/CaseDetail"}, REFERRED_AWAY]},
                description=(
                    "Nothing new was opened: the caller opened this request already, with the "
                    "same `Idempotency-Key` and content, or with the same worker, category, "
                    "summary and description in the last 30 minutes. The body is the request "
                    "as it stands; or, when it has since been referred out of the caller's "
                    "organisations, only its id and status (`referred`)."
                ),
            ),
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description=(
                    "Repeat a key with the same content to get the same request back (200), "
                    "not a new one. The key reused with other content (worker, category, "
                    "summary, description, channel, urgency, contact time, reporter, when it "
                    "happened) is refused with 409 `idempotency_key_reused`. Any length: the "
                    "whole key counts, so keys that differ anywhere are different requests."
                ),
            )
        ],
    )
    def create(self, request):
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        if self.as_worker:
            worker = Worker.objects.filter(user=user).first()
            if worker is None:
                raise PermissionDenied
        else:
            worker_id = values.get("worker")
            worker = Worker.objects.visible_to(user).filter(public_id=worker_id).first()
            if worker is None:
                raise ValidationError({"worker": [_("Unknown worker.")]})
        organization = None
        if values.get("organization") and not self.as_worker:
            organization = (
                Organization.objects.visible_to(user).filter(pk=values["organization"]).first()
            )
            if organization is None:
                raise ValidationError({"organization": [_("Unknown organisation.")]})
        case = services.case_submit(
            actor=user,
            worker=worker,
            category=values["category"],
            channel=values.get("channel") or Case.Channel.PHONE,
            urgency=values["urgency"],
            summary=values["summary"],
            description=values["description"],
            preferred_contact_time=values["preferred_contact_time"],
            organization=organization,
            submission_key=_idempotency_key(request),
            reporter=services.Reporter(
                name=values["reporter_name"],
                relation=values["reporter_relation"],
                phone=values["reporter_phone"],
            ),
            occurred_at=values["occurred_at"],
            refuse_key_reuse=True,
        )
        # A request opened already (the same key, or the same words a moment ago) is answered
        # as it stands, with 200: nothing new was created.
        opened = getattr(case, "sent_again", None) is None
        if not opened and not self.get_queryset().filter(pk=case.pk).exists():
            # Opened then and referred out of the caller's organisations since: followed under
            # ``referred-on/``, as a referral's own answer says.
            return Response({"id": str(case.public_id), "status": Case.Status.REFERRED})
        return Response(
            self._detail(case), status=status.HTTP_201_CREATED if opened else status.HTTP_200_OK
        )

    def _act(self, request, serializer_class, run):
        case = self.get_object()
        values = {}
        if serializer_class is not None:
            data = serializer_class(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
        run(case, values)
        refreshed = self.get_queryset().filter(pk=case.pk).first()
        if refreshed is None:  # referred out of the caller's scope
            return Response({"id": str(case.public_id), "status": Case.Status.REFERRED})
        return Response(self._detail(refreshed))

    @extend_schema(request=None, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, id=None):
        return self._act(
            request, None, lambda c, v: services.case_accept(actor=request.user, case=c)
        )

    @extend_schema(request=None, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, id=None):
        return self._act(
            request, None, lambda c, v: services.case_start(actor=request.user, case=c)
        )

    @extend_schema(request=AssignSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, id=None):
        from django.contrib.auth import get_user_model

        def run(case, values):
            assignee = get_user_model().objects.filter(pk=values["assignee"]).first()
            services.case_assign(actor=request.user, case=case, assignee=assignee)

        return self._act(request, AssignSerializer, run)

    @extend_schema(request=TextSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def note(self, request, id=None):
        return self._act(
            request,
            TextSerializer,
            lambda c, v: services.case_note(actor=request.user, case=c, text=v["text"]),
        )

    def _contact(self, request, kind):
        def run(case, values):
            followup = None
            if values.get("followup"):
                followup = self._followup(case, values)
            services.case_log_contact(
                actor=request.user,
                case=case,
                kind=kind,
                summary=values["summary"],
                counselling=values["counselling"],
                happened_at=values["happened_at"],
                followup=followup,
            )

        return self._act(request, ContactSerializer, run)

    @extend_schema(request=ContactSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def call(self, request, id=None):
        return self._contact(request, CaseEvent.Kind.CALL)

    @extend_schema(request=ContactSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def visit(self, request, id=None):
        return self._contact(request, CaseEvent.Kind.VISIT)

    def _target(self, case, values):
        """Any organisation of the district: the service says why one cannot take the request."""
        district = case.owner_path[: Organization.steplen]
        organization = Organization.objects.filter(
            pk=values["organization"], path__startswith=district
        ).first()
        if organization is None:
            raise ValidationError({"organization": [_("Unknown organisation.")]})
        return organization

    @extend_schema(
        request=ReferSerializer,
        responses=OpenApiResponse(
            {"oneOf": [{"$ref": "#/components/schemas/CaseDetail"}, REFERRED_AWAY]},
            description=(
                "The request as it stands; or, when the referral took it out of the caller's "
                "organisations, only its id and status (`referred`): it is followed under "
                "`referred-on/`."
            ),
        ),
    )
    @action(detail=True, methods=["post"])
    def refer(self, request, id=None):
        return self._act(
            request,
            ReferSerializer,
            lambda c, v: services.case_refer(
                actor=request.user, case=c, organization=self._target(c, v), reason=v["reason"]
            ),
        )

    @extend_schema(
        request=SendBackSerializer,
        responses=OpenApiResponse(
            {"oneOf": [{"$ref": "#/components/schemas/CaseDetail"}, REFERRED_AWAY]},
            description=(
                "A request referred to the caller's organisation goes back, unaccepted, to the "
                "organisation that referred it (409 `nothing_to_send_back` when there is none). "
                "The answer is the request as it stands; or, when it left the caller's "
                "organisations, only its id and status (`referred`)."
            ),
        ),
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, id=None):
        return self._act(
            request,
            SendBackSerializer,
            lambda c, v: services.case_send_back(actor=request.user, case=c, reason=v["reason"]),
        )

    @extend_schema(
        request=ReferPartSerializer,
        responses=OpenApiResponse(
            CaseDetailSerializer,
            description=(
                "The request the part was referred from, which stays with the caller; the part "
                "is a new request owned by the organisation it went to."
            ),
        ),
    )
    @action(detail=True, methods=["post"], url_path="refer-part")
    def refer_part(self, request, id=None):
        return self._act(
            request,
            ReferPartSerializer,
            lambda c, v: services.case_refer_part(
                actor=request.user,
                case=c,
                organization=self._target(c, v),
                summary=v["summary"],
                reason=v["reason"],
            ),
        )

    @extend_schema(request=ResolveSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, id=None):
        return self._act(
            request,
            ResolveSerializer,
            lambda c, v: services.case_resolve(
                actor=request.user, case=c, resolution=v["resolution"]
            ),
        )

    @extend_schema(request=CloseSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, id=None):
        return self._act(
            request,
            CloseSerializer,
            lambda c, v: services.case_close(actor=request.user, case=c, note=v["note"]),
        )

    @extend_schema(request=ReasonSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, id=None):
        return self._act(
            request,
            ReasonSerializer,
            lambda c, v: services.case_reject(actor=request.user, case=c, reason=v["reason"]),
        )

    @extend_schema(request=WithdrawSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, id=None):
        return self._act(
            request,
            WithdrawSerializer,
            lambda c, v: services.case_withdraw(actor=request.user, case=c, reason=v["reason"]),
        )

    @extend_schema(request=ReasonSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, id=None):
        return self._act(
            request,
            ReasonSerializer,
            lambda c, v: services.case_reopen(actor=request.user, case=c, reason=v["reason"]),
        )

    @extend_schema(request=RateSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, id=None):
        return self._act(
            request,
            RateSerializer,
            lambda c, v: services.case_rate(
                actor=request.user, case=c, rating=v["rating"], comment=v["comment"]
            ),
        )

    @extend_schema(
        request={"multipart/form-data": AddInfoSerializer, "application/json": AddInfoSerializer},
        responses=CaseDetailSerializer,
        description="The worker adds a few words, photos or PDFs to their open request.",
    )
    @action(detail=True, methods=["post"], url_path="add-info")
    def add_info(self, request, id=None):
        from unionhub.cases.views import upload_from

        return self._act(
            request,
            AddInfoSerializer,
            lambda c, v: services.case_add_info(
                actor=request.user,
                case=c,
                text=v["text"],
                attachments=[upload_from(f, field="attachments") for f in v["attachments"]],
            ),
        )

    @extend_schema(request=ScheduleFollowUpSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="schedule-followup")
    def schedule_followup(self, request, id=None):
        return self._act(
            request,
            ScheduleFollowUpSerializer,
            lambda c, v: services.followup_schedule(
                actor=request.user, case=c, kind=v["kind"], due_on=v["due_on"]
            ),
        )

    @staticmethod
    def _followup(case, values) -> FollowUp:
        followup = case.followups.filter(pk=values["followup"]).first()
        if followup is None:
            raise ValidationError({"followup": [_("Unknown follow-up.")]})
        return followup

    @extend_schema(request=MoveFollowUpSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="move-followup")
    def move_followup(self, request, id=None):
        return self._act(
            request,
            MoveFollowUpSerializer,
            lambda c, v: services.followup_move(
                actor=request.user,
                case=c,
                followup=self._followup(c, v),
                due_on=v["due_on"],
                reason=v["reason"],
            ),
        )

    @extend_schema(request=SkipFollowUpSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="skip-followup")
    def skip_followup(self, request, id=None):
        return self._act(
            request,
            SkipFollowUpSerializer,
            lambda c, v: services.followup_skip(
                actor=request.user, case=c, followup=self._followup(c, v), reason=v["reason"]
            ),
        )
