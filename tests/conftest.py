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


@pytest.fixture
def session_blip(monkeypatch):
    """Call it, and the next session load fails as a dropped connection does; it returns the
    list counting the loads (a retried request loads twice)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.utils import OperationalError

    def arm() -> list:
        load, calls = SessionStore.load, []

        def blip(self):
            calls.append(1)
            if len(calls) == 1:
                raise OperationalError("server closed the connection unexpectedly")
            return load(self)

        monkeypatch.setattr(SessionStore, "load", blip)
        return calls

    return arm


@pytest.fixture(autouse=True)
def _fresh_framework_index():
    """Each test reads the framework its own data holds: a category a test saved and then
    rolled back must not linger in this process's index (indicators.selectors)."""
    yield
    from indicators.selectors import forget_framework_index

    forget_framework_index()


@pytest.fixture
def warm_framework(db):
    """The framework index read, as every process has it after its first table page: query
    pins then count what a page reads itself."""
    from indicators.selectors import framework_index

    framework_index()
