"""Fixtures the portal's tests share: a worker's hardship request, opened by station A's officer."""

import pytest

from unionhub.cases import services
from unionhub.cases.models import ServiceCategory


@pytest.fixture
def hardship(db):
    return ServiceCategory.objects.get(code="hardship_relief")


@pytest.fixture
def case(officer, worker, hardship):
    return services.case_submit(
        actor=officer,
        worker=worker,
        category=hardship,
        channel="phone",
        summary="配偶患病，生活困难",
        description="妻子患病长期透析，两个孩子上学，申请困难帮扶。",
    )
