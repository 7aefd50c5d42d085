"""The role home page: what is waiting for the signed-in user's action, with counts."""
