from django.contrib import admin
from django.urls import include, path

from config.api import api
from postops.core import views as core_views
from postops.items import api as items_api
from postops.items import views as items_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    # The busiest public endpoint, served ahead of django-ninja (see track_one_view); the
    # API's own operation documents it.
    path("api/v1/track/<str:number>", items_api.track_one_view, name="track-one"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("postops.accounts.urls")),
    path("network/", include("postops.network.urls")),
    path("audit/", include("postops.core.urls")),
    # Public tracking, Vietnamese path; English through the language switch.
    path("tra-cuu/", items_views.track_page, name="tracking"),
    path("items/", include("postops.items.urls")),
    path("payouts/", include("postops.payouts.urls")),
    path("delivery/", include("postops.delivery.urls")),
    path("returns/", include("postops.items.return_urls")),
    path("cod/", include("postops.cod.urls")),
    path("worklists/", include("postops.cod.worklist_urls")),
    path("dossiers/", include("postops.dossiers.urls")),
    path("notify/", include("postops.notify.urls")),
    path("complaints/", include("postops.complaints.urls")),
    path("reports/", include("postops.reports.urls")),
    # Public complaint form and status, Vietnamese path.
    path("khieu-nai/", include("postops.complaints.public_urls")),
    # Home pickup requests: the public form (Vietnamese path) and the staff pages.
    path("thu-gom/", include("postops.pickups.public_urls")),
    path("pickups/", include("postops.pickups.urls")),
    path("", include("postops.public.urls")),
]
