from django.urls import path

from . import cash_views, payroll_views, people_views, views

app_name = "payouts"
urlpatterns = [
    path("", views.teller_search, name="teller"),
    path("lines/<int:pk>/", views.line_pay, name="line_pay"),
    path("receipts/<int:pk>/", views.payout_receipt, name="receipt"),
    path("receipts/<int:pk>/reverse/", views.payout_reverse, name="reverse"),
    # People and their authorisations.
    path("people/", people_views.beneficiary_search, name="people"),
    path("people/<int:pk>/", people_views.beneficiary_detail, name="beneficiary"),
    path("people/<int:pk>/proxies/new/", people_views.proxy_add, name="proxy_add"),
    path("proxies/<int:pk>/revoke/", people_views.proxy_revoke, name="proxy_revoke"),
    # Cash books per point or teller per day.
    path("cash/", cash_views.cash_books, name="cash_books"),
    path("cash/<int:pk>/", cash_views.cash_day, name="cash_day"),
    path("cash/<int:pk>/movements/", cash_views.cash_movement, name="cash_movement"),
    path("cash/<int:pk>/sign-off/", cash_views.cash_sign_off, name="cash_sign_off"),
    path("cash/<int:pk>/close/", cash_views.cash_close, name="cash_close"),
    # Payroll: import, check, approve (supervisors, managers, administrators).
    path("periods/", payroll_views.period_list, name="period_list"),
    path("periods/<int:pk>/", payroll_views.period_detail, name="period_detail"),
    path("periods/<int:pk>/status/", payroll_views.period_transition, name="period_transition"),
    path("periods/<int:pk>/schedule/", payroll_views.schedule, name="schedule"),
    path(
        "periods/<int:pk>/schedule/exceptions/",
        payroll_views.schedule_exception,
        name="schedule_exception",
    ),
    path("periods/<int:pk>/reported/", payroll_views.period_reported, name="period_reported"),
    path(
        "periods/<int:pk>/schedule/<int:point_id>/",
        payroll_views.schedule_point,
        name="schedule_point",
    ),
    path(
        "periods/<int:pk>/points/<int:point_id>/list.pdf",
        payroll_views.point_list_pdf,
        name="point_list_pdf",
    ),
    path("periods/<int:pk>/progress/", payroll_views.period_progress, name="period_progress"),
    path(
        "periods/<int:pk>/report.<str:fmt>",
        payroll_views.period_report,
        name="period_report",
    ),
    path("periods/<int:pk>/carry-over/", payroll_views.period_carry, name="period_carry"),
    path("periods/<int:pk>/suspensions/", payroll_views.suspension_list, name="suspensions"),
    path(
        "periods/<int:pk>/suspensions/<int:flag_id>/",
        payroll_views.suspension_decide,
        name="suspension_decide",
    ),
    path("imports/new/", payroll_views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", payroll_views.import_job, name="import_job"),
    path("imports/<int:pk>/errors.csv", payroll_views.import_job_errors_csv, name="import_errors"),
    path("imports/<int:pk>/valid-only/", payroll_views.import_job_retry, name="import_retry"),
]
