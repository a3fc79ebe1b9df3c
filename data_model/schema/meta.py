"""What a database records about itself (AppMeta keys): whether the demo data set was loaded, or is still to come."""
from __future__ import annotations

from sqlalchemy.orm import Session

from data_model.schema.models import AppMeta

DEMO_FLAG = "demo_loaded"
# Set by the dashboard in an embedded database it has just created for the demo, until the demo load is done.
DEMO_PENDING = "demo_pending"


def is_demo_database(*, session: Session) -> bool:
    """Whether the demo data set was loaded into this database."""
    return session.get(AppMeta, DEMO_FLAG) is not None
