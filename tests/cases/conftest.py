import pytest

from unionhub.cases import services
from unionhub.cases.models import ServiceCategory


@pytest.fixture
def hardship(db):
    return ServiceCategory.objects.get(code="hardship_relief")


@pytest.fixture
def emergency(db):
    return ServiceCategory.objects.get(code="emergency_aid")


@pytest.fixture
def submit(officer, worker, hardship):
    """``submit(**overrides)`` opens a request for ``worker`` as station A's officer."""

    def _submit(**overrides):
        values = {
            "actor": officer,
            "worker": worker,
            "category": hardship,
            "channel": "phone",
            "summary": "配偶患病，生活困难",
            "description": "妻子患病长期透析，两个孩子上学，申请困难帮扶。",
        }
        values.update(overrides)
        return services.case_submit(**values)

    return _submit


@pytest.fixture
def case(submit):
    return submit()
