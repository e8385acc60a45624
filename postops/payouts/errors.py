"""Business errors of the payouts services, each with a stable machine code.

The API maps ``code`` to its error body (``{"code", "message", "details"}``); the UI shows
``message``, which is Vietnamese text marked for translation.
"""

from django.utils.translation import gettext_lazy as _


class PayoutsError(Exception):
    code = "payouts_error"
    status = 400
    default_message = _("Không thực hiện được thao tác.")

    def __init__(self, message=None, **details):
        self.message = str(message or self.default_message)
        self.details = details
        super().__init__(self.message)


class InvalidTransition(PayoutsError):
    code = "invalid_transition"
    status = 409
    default_message = _("Kỳ chi trả không thể chuyển sang trạng thái này.")


class FourEyesViolation(PayoutsError):
    code = "approver_is_importer"
    status = 409
    default_message = _("Người duyệt phải khác người nhập danh sách.")


class AuthorisationInvalid(PayoutsError):
    code = "authorisation_invalid"
    status = 422
    default_message = _("Giấy ủy quyền không hợp lệ.")


class PeriodNotOpen(PayoutsError):
    code = "period_not_open"
    status = 409
    default_message = _("Kỳ chi trả không ở trạng thái cho phép thao tác này.")


class AlreadyPaid(PayoutsError):
    code = "already_paid"
    status = 409
    default_message = _("Dòng chi trả này đã được chi.")


class IdentityMismatch(PayoutsError):
    code = "identity_mismatch"
    status = 422
    default_message = _("Giấy tờ tùy thân không khớp với hồ sơ.")


class IdempotencyKeyReused(PayoutsError):
    code = "idempotency_key_reused"
    status = 409
    default_message = _("Khóa Idempotency-Key đã được dùng cho một yêu cầu khác.")


class NotAllowed(PayoutsError):
    code = "forbidden"
    status = 403
    default_message = _("Bạn không có quyền thực hiện thao tác này.")


class AlreadyReversed(PayoutsError):
    code = "already_reversed"
    status = 409
    default_message = _("Lượt chi này đã bị hủy trước đó.")


class BeneficiarySuspended(PayoutsError):
    code = "beneficiary_suspended"
    status = 409
    default_message = _("Đối tượng đang bị tạm dừng chi trả.")


class OutOfScope(PayoutsError):
    code = "out_of_scope"
    status = 403
    default_message = _("Dòng chi trả này thuộc điểm chi trả ngoài phạm vi của bạn.")


class InvalidRequest(PayoutsError):
    code = "invalid_request"
    status = 422
    default_message = _("Yêu cầu không hợp lệ.")


class LineNotFound(PayoutsError):
    code = "not_found"
    status = 404
    default_message = _("Không tìm thấy dòng chi trả.")


class ScheduleInvalid(PayoutsError):
    code = "schedule_invalid"
    status = 422
    default_message = _(
        "Ngày chi trả phải nằm trong tháng của kỳ, ngày bắt đầu trước ngày kết thúc."
    )


class CashDayClosed(PayoutsError):
    code = "cash_day_closed"
    status = 409
    default_message = _("Sổ quỹ ngày này đã chốt: không ghi thêm được.")


class CashDayCannotClose(PayoutsError):
    code = "cash_day_cannot_close"
    status = 409
    default_message = _("Chưa chốt được sổ quỹ.")


class OutsideSchedule(PayoutsError):
    code = "outside_schedule"
    status = 422
    default_message = _(
        "Hôm nay không nằm trong lịch chi trả của điểm này, và giám sát viên chưa mở ngoại lệ "
        "cho ngày này."
    )
