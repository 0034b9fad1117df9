"""The REST API under /api/v1/: one NinjaAPI, one router per app.

Authentication, the error shape and paging are in `bdsmarket.core.api`; docs/api.md
describes every endpoint (a test keeps it complete).
"""

from .core.api import BdsmarketAPI
from .core.api import router as core_router
from .incentives.api import router as incentives_router
from .indicators.api import router as indicators_router
from .monitoring.api import router as monitoring_router
from .registry.api import router as registry_router

api = BdsmarketAPI(
    title="bdsmarket API",
    version="1",
    urls_namespace="api",
    description=(
        "The program's registry (providers, their services, enterprises, reference lists), "
        "what providers report (deliveries, cost reports) and the indicators computed "
        "from it (any indicator over any scope, benchmarks), the incentive statements and "
        "schemes that pay for results, and their simulator, for a provider's own "
        "systems and the program's tools. Authenticate with a personal "
        "API token (`Authorization: Bearer <key>`, created on the account page) or a "
        "browser session. Every error has the shape "
        '`{"error": {"code", "message", "details"}}`; messages follow Accept-Language.'
    ),
)
api.add_router("", core_router)
api.add_router("", registry_router)
api.add_router("", monitoring_router)
api.add_router("", indicators_router)
api.add_router("", incentives_router)
