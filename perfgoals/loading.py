"""Rows loaded into model instances without running Model.__init__.

Kernel: imports Django only.

Django builds each instance a query returns by calling the model with one argument per
column, which sets them one by one and sends pre_init and post_init: a table page loads
some fifty rows (its indicators, the upper table's, the notice, the review's events), and
that loop was about a twentieth of the editor's and the read view's server time. For a row
read from the database Model.__init__ does no more than put each column's value in the
instance's __dict__ (the only descriptors on column attributes, a foreign key's id, do
the same for a new instance) and mark it as loaded: done here in one step.

A model that defines its own __init__, or whose pre_init or post_init has receivers (an
ImageField's dimensions, a GenericForeignKey), is loaded by Django as before.
"""

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


class FastLoading:
    """Mixed into a model before models.Model (or AbstractUser): its rows load without
    Model.__init__ (see the module's docstring)."""

    @classmethod
    def from_db(cls, db, field_names, values):
        if (
            cls.__init__ is not Model.__init__
            or pre_init.has_listeners(cls)
            or post_init.has_listeners(cls)
        ):
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        new._state = state = ModelState()
        state.adding = False
        state.db = db
        # field_names are the attnames of `values`, in their order: a deferred column is
        # absent from both, as Model.__init__ leaves it out of __dict__.
        new.__dict__.update(zip(field_names, values, strict=True))
        return new
