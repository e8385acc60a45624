"""A URLconf for tests: the real URLs plus a small API that exercises the error paths.

The extra API sits under ``/api/test/`` so the middleware treats it as API, but it is not
part of ``/api/v1/`` and never appears in the committed OpenAPI schema.
"""

from django.urls import path
from ninja import NinjaAPI, Router, Schema

from config.urls import urlpatterns as real_urlpatterns
from postops.accounts.api_auth import PrincipalRateThrottle, require_roles, staff_auth
from postops.core.api_errors import install_error_handlers

test_api = NinjaAPI(
    title="Test API", urls_namespace="api-test", docs_url=None, throttle=[PrincipalRateThrottle()]
)
install_error_handlers(test_api)
router = Router(auth=staff_auth)


class ParcelIn(Schema):
    weight_grams: int
    receiver: dict[str, str]


@router.post("/parcels")
def parcel_create(request, payload: ParcelIn):
    return {"kind": request.auth.kind, "weight_grams": payload.weight_grams}


@router.get("/admin-only")
def admin_only(request):
    require_roles(request, "admin")
    return {"ok": True}


@router.get("/crash")
def crash(request):
    raise RuntimeError("boom with a secret detail")


test_api.add_router("/", router)

urlpatterns = [path("api/test/", test_api.urls), *real_urlpatterns]
