"""One import for the Django tasks API, so moving to Django 6's ``django.tasks`` is one line."""

try:  # Django 6
    from django.tasks import task  # type: ignore[import-not-found]
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task

__all__ = ["task"]
