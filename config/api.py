"""The PostOps HTTP API, version 1, under ``/api/v1/`` (django-ninja, OpenAPI 3.1).

Each app adds its router here. Errors are always JSON
``{"code": "...", "message": "...", "details": [...]}`` (see ``postops.core.api_errors``).
Staff and partner endpoints use ``auth=staff_auth`` (``postops.accounts.api_auth``): a Bearer
API key or the UI session. After adding or changing an endpoint, regenerate the committed
schema with ``python manage.py export_openapi`` (a test fails on drift).
"""

from ninja import NinjaAPI, Swagger

from postops.accounts.api import router as accounts_router
from postops.accounts.api_auth import PrincipalRateThrottle
from postops.cod.api import router as cod_router
from postops.core.api_errors import install_error_handlers
from postops.dossiers.api import public_router as dossiers_public_router
from postops.dossiers.api import router as dossiers_router
from postops.items.api import events_router as items_events_router
from postops.items.api import public_router as items_public_router
from postops.items.api_bags import router as bags_router
from postops.items.api_partner import router as items_router
from postops.items.api_webhooks import router as webhooks_router
from postops.network.api import router as network_router
from postops.payouts.api import router as payouts_router
from postops.pickups.api import router as pickups_router

api = NinjaAPI(
    title="PostOps API",
    version="1.0.0",
    description="API of PostOps, the operations platform of a provincial post office.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Served from ninja's static files through templates/ninja/swagger.html (CSP-safe); no
    # call to the public swagger.io validator.
    docs=Swagger(settings={"validatorUrl": None}),
    # Per key/user; anonymous (public) endpoints set their own throttles.
    throttle=[PrincipalRateThrottle()],
)
install_error_handlers(api)

# Public tracking first: URL patterns are tried in this order, and it is the busiest path.
api.add_router("/", items_public_router)
api.add_router("/", accounts_router)
api.add_router("/network", network_router)
api.add_router("/", payouts_router)
api.add_router("/", items_events_router)
api.add_router("/", items_router)
api.add_router("/", bags_router)
api.add_router("/", webhooks_router)
api.add_router("/", dossiers_router)
api.add_router("/", dossiers_public_router)
api.add_router("/", cod_router)
api.add_router("/", pickups_router)
