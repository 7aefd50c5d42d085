"""The login backend: Django's, with the session's user loaded as every page reads it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    """ModelBackend whose `get_user` (once per request, for the session's user) brings the
    user's organisation with its region, and the user's office: the page header, every
    scope and the review stage read them, each a query of its own otherwise."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("organisation__region", "office")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
