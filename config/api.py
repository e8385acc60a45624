"""The PostOps HTTP API, version 1, under ``/api/v1/`` (django-ninja, OpenAPI 3.1).

Each app adds its router here. Errors are always JSON
``{"code": "...", "message": "...", "details": [...]}`` (see ``postops.core.api_errors``).
"""

from ninja import NinjaAPI

from postops.core.api_errors import install_error_handlers

api = NinjaAPI(
    title="PostOps API",
    version="1.0.0",
    description="API of PostOps, the operations platform of a provincial post office.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
