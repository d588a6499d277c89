import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from tests.factories import WorkerFactory
from unionhub.core.fields import decrypt, encrypt, lookup_hash
from unionhub.workers.models import Worker


def test_id_numbers_are_encrypted_at_rest(tree):
    worker = WorkerFactory(organization=tree.union_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM workers_worker WHERE id = %s", [worker.pk])
        stored = cursor.fetchone()[0]
    assert worker.id_number not in stored
    assert decrypt(stored) == worker.id_number
    assert Worker.objects.get(pk=worker.pk).id_number == worker.id_number


def test_encryption_is_randomised_but_the_lookup_hash_is_stable():
    assert encrypt("320206198001011234") != encrypt("320206198001011234")
    assert lookup_hash("x", purpose="a") == lookup_hash("x", purpose="a")
    assert lookup_hash("x", purpose="a") != lookup_hash("x", purpose="b")


def test_the_encrypted_column_cannot_be_searched_by_value(tree):
    with pytest.raises(FieldError):
        list(Worker.objects.filter(id_number="320206198001011234"))


def test_a_wrong_key_fails_loudly_instead_of_showing_ciphertext():
    token = encrypt("secret")
    other_key = "b3RoZXIta2V5LXRoYXQtaXMtMzItYnl0ZXMtbG9uZyE="
    with override_settings(FIELD_ENCRYPTION_KEY=other_key), pytest.raises(ImproperlyConfigured):
        decrypt(token)
