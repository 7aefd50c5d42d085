import pytest

from perfgoals.demo import DEMO_PASSWORD, load_demo


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the five seeds once per run; each test's transaction rolls back to this state."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture(scope="session")
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def demo(db):
    """All five seeds, loaded through the real loader.

    Transactional tests flush the database afterwards; the loader is idempotent, so
    calling it again restores the demo data for the tests that follow.
    """
    from perfgoals.models import User

    if not User.objects.filter(username="admin").exists():
        load_demo()


@pytest.fixture
def login(client, demo):
    """Log the test client in as a demo user by username; returns the user."""
    from perfgoals.models import User

    def _login(username: str) -> User:
        user = User.objects.get(username=username)
        client.force_login(user)
        return user

    return _login
