"""URL conf of the benchmark server: every project URL plus two no-op endpoints.

* ``/bench/noop`` — a Django view returning a constant JSON body through the same
  middleware stack as every request (sessions, CSRF, auth, CSP, request id…): the floor
  of the server, what the tracking lookup is compared with.
* ``/bench/api/noop`` — the same through django-ninja (routing, response model, JSON
  renderer), for reference: the floor of an API operation.

Used only through ``bench.settings``; no real server has these URLs.
"""

from django.http import JsonResponse
from django.urls import path
from ninja import NinjaAPI
from pydantic import BaseModel

from config.urls import urlpatterns as project_urlpatterns


def noop(request):
    return JsonResponse({"ok": True})


class NoopOut(BaseModel):
    ok: bool


bench_api = NinjaAPI(urls_namespace="bench-api", docs_url=None, openapi_url=None)


@bench_api.get("/noop", response=NoopOut, auth=None)
def api_noop(request):
    return {"ok": True}


urlpatterns = [
    path("bench/noop", noop),
    path("bench/api/", bench_api.urls),
    *project_urlpatterns,
]
