"""Print a new key for FIELD_ENCRYPTION_KEY."""

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new random FIELD_ENCRYPTION_KEY (keep it safe: it unlocks the ID numbers)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(Fernet.generate_key().decode())
