"""Every table of Régie, gathered for Alembic and for tests."""

from regie.audit import seal_models  # noqa: F401
from regie.cards import models as cards_models  # noqa: F401
from regie.inventory import models as inventory_models
from regie.ledger import models as ledger_models  # noqa: F401
from regie.models import Base
from regie.people import models as people_models  # noqa: F401
from regie.settings import models as settings_models  # noqa: F401
from regie.settlement import models as settlement_models  # noqa: F401
from regie.terminals import models as terminals_models  # noqa: F401

__all__ = ["Base", "inventory_models"]
