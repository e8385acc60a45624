"""The staff start page and header menu: which pages each role may open.

One table, read by the start page (``/``) and the header menu, so the two never disagree.
Apps that add a staff page add a row here. A row whose URL does not exist yet (another app
still being built) is skipped, so the table may name pages before they ship.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from postops.accounts.roles import needs_two_factor, user_roles

# Every staff role except ``partner`` (a business sender's system, which uses the API).
STAFF_ROLES = frozenset(
    {
        "clerk",
        "postman",
        "teller",
        "bdvhx",
        "supervisor",
        "manager",
        "agency",
        "complaints",
        "auditor",
        "admin",
    }
)


@dataclass(frozen=True)
class StaffLink:
    key: str
    url_name: str
    label: str | Promise
    description: str | Promise
    roles: frozenset[str]
    # Alt+<letter> opens the page (static/js/postops.js, `data-hotkey`); "" for none.
    hotkey: str = ""


STAFF_LINKS: tuple[StaffLink, ...] = (
    StaffLink(
        key="payouts",
        url_name="payouts:teller",
        label=_("Chi trả lương hưu, trợ cấp"),
        description=_("Tìm người hưởng, kiểm tra giấy tờ, chi tiền và in biên nhận."),
        roles=frozenset({"teller", "bdvhx", "supervisor"}),
        hotkey="p",
    ),
    StaffLink(
        key="offices",
        url_name="network:office_list",
        label=_("Mạng lưới bưu cục"),
        description=_("Cây đơn vị: bưu điện tỉnh, bưu cục, bưu điện văn hóa xã, điểm chi trả."),
        roles=STAFF_ROLES,
        hotkey="o",
    ),
    StaffLink(
        key="payroll",
        url_name="payouts:period_list",
        label=_("Danh sách chi trả theo kỳ"),
        description=_(
            "Nhập danh sách của cơ quan chi trả, kiểm tra, duyệt, lịch chi, khóa sổ và báo cáo."
        ),
        roles=frozenset({"supervisor", "manager", "admin"}),
    ),
    StaffLink(
        key="payout_people",
        url_name="payouts:people",
        label=_("Người hưởng và ủy quyền"),
        description=_("Ghi hoặc thu hồi giấy ủy quyền nhận lương hưu, trợ cấp."),
        roles=frozenset({"teller", "bdvhx", "supervisor"}),
    ),
    StaffLink(
        key="payout_cash",
        url_name="payouts:cash_books",
        label=_("Sổ quỹ chi trả"),
        description=_("Tạm ứng, nộp lại, kiểm đếm tiền mặt và chốt sổ quỹ cuối ngày."),
        roles=frozenset({"teller", "bdvhx", "supervisor"}),
    ),
    StaffLink(
        key="items_accept",
        url_name="items:accept",
        label=_("Nhận gửi bưu gửi"),
        description=_("Quét hoặc cấp số hiệu, tính cước, in nhãn và biên nhận."),
        roles=frozenset({"clerk", "bdvhx", "supervisor"}),
        hotkey="a",
    ),
    StaffLink(
        key="items_bags",
        url_name="items:bag_list",
        label=_("Túi thư"),
        description=_("Đóng túi gửi bưu cục khác; quét mã túi để nhận, báo bưu gửi thiếu, thừa."),
        roles=frozenset({"clerk", "bdvhx", "supervisor"}),
        hotkey="s",
    ),
    StaffLink(
        key="delivery",
        url_name="delivery:app",
        label=_("Phát bưu gửi"),
        description=_("Bảng kê hôm nay: quét số hiệu, ký nhận, thu hộ; làm việc cả khi mất mạng."),
        roles=frozenset({"postman"}),
        hotkey="b",
    ),
    StaffLink(
        key="delivery_office",
        url_name="delivery:office",
        label=_("Điều phối phát"),
        description=_("Giao bưu gửi cho bưu tá, theo dõi bảng kê, xác nhận bàn giao cuối ngày."),
        roles=frozenset({"supervisor"}),
        hotkey="l",
    ),
    StaffLink(
        key="home_payouts",
        url_name="delivery:home_payouts_mine",
        label=_("Chi trả tại nhà"),
        description=_("Người hưởng được giao chi tại nhà: kiểm tra giấy tờ, chi, cả khi mất mạng."),
        roles=frozenset({"postman", "teller", "bdvhx"}),
    ),
    StaffLink(
        key="pickups_mine",
        url_name="pickups:mine",
        label=_("Thu gom hồ sơ hôm nay"),
        description=_("Yêu cầu thu gom được giao: nhận hồ sơ tại nhà người dân trên điện thoại."),
        roles=frozenset({"postman"}),
    ),
    StaffLink(
        key="home_payouts_assign",
        url_name="delivery:home_payouts",
        label=_("Giao chi trả tại nhà"),
        description=_("Danh sách người hưởng chi tại nhà và người đi chi."),
        roles=frozenset({"supervisor"}),
    ),
    StaffLink(
        key="dossier_intake",
        url_name="dossiers:intake_start",
        label=_("Nhận hồ sơ hành chính"),
        description=_("Nhận hồ sơ thủ tục hành chính tại quầy, thu phí và in phiếu gửi."),
        roles=frozenset({"clerk", "bdvhx", "supervisor"}),
        hotkey="d",
    ),
    StaffLink(
        key="dossier_handovers",
        url_name="dossiers:handover_list",
        label=_("Giao hồ sơ cho cơ quan"),
        description=_("Lập biên bản giao nhận hồ sơ cho từng cơ quan và theo dõi ký nhận."),
        roles=frozenset({"clerk", "supervisor"}),
        hotkey="g",
    ),
    StaffLink(
        key="results_collect",
        url_name="dossiers:collection_start",
        label=_("Nhận kết quả tại cơ quan"),
        description=_("Quét số phiếu/số hồ sơ để nhận kết quả tại cơ quan, in biên bản nhận."),
        roles=frozenset({"clerk", "postman", "bdvhx", "supervisor"}),
    ),
    StaffLink(
        key="results_take_back",
        url_name="dossiers:take_back_list",
        label=_("Trả lại kết quả cho cơ quan"),
        description=_("Kết quả không phát được sau 2 lần mời: lập biên bản trả lại cơ quan."),
        roles=frozenset({"clerk", "supervisor"}),
    ),
    StaffLink(
        key="pickups",
        url_name="pickups:queue",
        label=_("Thu gom hồ sơ tại nhà"),
        description=_("Yêu cầu thu gom của người dân: ghi yêu cầu qua điện thoại, giao bưu tá."),
        roles=frozenset({"clerk", "supervisor"}),
        hotkey="u",
    ),
    StaffLink(
        key="agency_inbox",
        url_name="dossiers:agency_inbox",
        label=_("Tiếp nhận hồ sơ từ bưu điện"),
        description=_("Xác nhận biên bản giao nhận, ghi ngày hẹn trả kết quả."),
        roles=frozenset({"agency"}),
        hotkey="x",
    ),
    StaffLink(
        key="dossier_worklists",
        url_name="dossiers:worklist_index",
        label=_("Hồ sơ trễ hạn"),
        description=_(
            "Hồ sơ quá hạn theo nguyên nhân: bưu điện trễ, cơ quan trễ, chờ nhận kết quả."
        ),
        roles=frozenset({"supervisor", "manager", "agency"}),
    ),
    StaffLink(
        key="procedures",
        url_name="dossiers:procedure_list",
        label=_("Danh mục thủ tục hành chính"),
        description=_("Tra cứu thủ tục, thành phần hồ sơ, phí và thời hạn giải quyết."),
        roles=frozenset(
            {
                "clerk",
                "postman",
                "bdvhx",
                "supervisor",
                "manager",
                "agency",
                "complaints",
                "auditor",
                "admin",
            }
        ),
        hotkey="t",
    ),
    StaffLink(
        key="sender_requests",
        url_name="returns:page",
        label=_("Yêu cầu của người gửi"),
        description=_("Chuyển hoàn, rút lại hoặc đổi người nhận, địa chỉ trước khi phát."),
        roles=frozenset({"clerk", "supervisor"}),
        hotkey="y",
    ),
    StaffLink(
        key="cod",
        url_name="cod:batch_list",
        label=_("Tiền thu hộ (COD)"),
        description=_("Lập bảng kê trả tiền cho người gửi, ghi nhận chuyển tiền và đối soát."),
        roles=frozenset({"supervisor", "manager", "auditor"}),
        hotkey="c",
    ),
    StaffLink(
        key="worklists",
        url_name="worklists:index",
        label=_("Việc cần xử lý"),
        description=_(
            "Bưu gửi không có hành trình mới, phát không thành công, quá hạn; tiền thu hộ chưa nộp."
        ),
        roles=frozenset({"supervisor", "manager"}),
        hotkey="w",
    ),
    StaffLink(
        key="notify",
        url_name="notify:outbox",
        label=_("Thông báo gửi đi"),
        description=_("Tin nhắn, thư điện tử báo cho người dân và cơ quan; gửi lại tin lỗi."),
        roles=frozenset({"supervisor", "admin"}),
    ),
    StaffLink(
        key="complaints",
        url_name="complaints:list",
        label=_("Khiếu nại, bồi thường"),
        description=_(
            "Tiếp nhận, trả lời khiếu nại (quá hạn trước), bồi thường, sự cố mất, hư hỏng."
        ),
        roles=frozenset({"complaints", "supervisor", "manager"}),
        hotkey="n",
    ),
    StaffLink(
        key="reports",
        url_name="reports:report",
        label=_("Báo cáo gửi cơ quan quản lý"),
        description=_(
            "Sản lượng, doanh thu, khiếu nại, mất, hư hỏng, bồi thường, an toàn: quý, 6 tháng, năm."
        ),
        roles=frozenset({"manager", "auditor", "admin"}),
        hotkey="r",
    ),
    StaffLink(
        key="audit",
        url_name="core:audit_list",
        label=_("Nhật ký kiểm soát"),
        description=_("Tra cứu ai đã làm gì, lúc nào, ở đơn vị nào."),
        roles=frozenset({"auditor", "admin", "manager"}),
        hotkey="k",
    ),
    StaffLink(
        key="admin",
        url_name="admin:index",
        label=_("Quản trị hệ thống"),
        description=_("Người dùng, vai trò, khóa API và danh mục."),
        roles=frozenset({"admin"}),
        hotkey="q",
    ),
    StaffLink(
        key="api_docs",
        url_name="api-v1:openapi-view",
        label=_("Tài liệu API"),
        description=_("Giao diện lập trình cho hệ thống đối tác (OpenAPI)."),
        roles=frozenset({"admin", "partner"}),
    ),
)


def _url_or_none(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def staff_links_for_user(user) -> list[dict]:
    """The rows of :data:`STAFF_LINKS` the user's roles allow and whose page exists.

    None before a required TOTP check is passed: those pages would only redirect to it.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    if needs_two_factor(user) and not user.is_verified():
        return []
    roles = user_roles(user)
    links = []
    for link in STAFF_LINKS:
        allowed = bool(roles & link.roles) or (link.key == "admin" and user.is_superuser)
        if not allowed:
            continue
        url = _url_or_none(link.url_name)
        if url is None:
            continue
        links.append(
            {
                "key": link.key,
                "url": url,
                "label": link.label,
                "description": link.description,
                "hotkey": link.hotkey,
            }
        )
    return links
