"""An office tree over real Lạng Sơn communes (loaded by the data migration).

LS    provincial  Bưu điện tỉnh Lạng Sơn   (05977 Phường Đông Kinh)
├─ 240000 post_office  Bưu cục Trung tâm Lạng Sơn
│   ├─ BDX-TT  commune_post  Bưu điện xã Tam Thanh
│   │   └─ CT-TT1  payout_point  Điểm chi trả thôn 1
│   └─ VHX-DK  bdvhx  BĐVHX Đoàn Kết
└─ 241100 post_office  Bưu cục Thất Khê
    └─ VHX-TK  bdvhx  BĐVHX Thất Khê
"""

import pytest

from postops.network import services
from postops.network.models import Commune


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def tree(superuser):
    def commune(code):
        return Commune.objects.get(code=code)

    def make(code, name, kind, parent, commune_code, postal_code):
        return services.office_create(
            actor=superuser,
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            commune=commune(commune_code),
            postal_code=postal_code,
        )

    t = {}
    t["province"] = make("LS", "Bưu điện tỉnh Lạng Sơn", "provincial", None, "05977", "24000")
    t["po_center"] = make(
        "240000", "Bưu cục Trung tâm Lạng Sơn", "post_office", t["province"], "05977", "24001"
    )
    t["cp_tam_thanh"] = make(
        "BDX-TT", "Bưu điện xã Tam Thanh", "commune_post", t["po_center"], "05986", "24002"
    )
    t["pp_thon1"] = make(
        "CT-TT1", "Điểm chi trả thôn 1", "payout_point", t["cp_tam_thanh"], "05986", "24002"
    )
    t["vhx_doan_ket"] = make("VHX-DK", "BĐVHX Đoàn Kết", "bdvhx", t["po_center"], "06001", "24003")
    t["po_that_khe"] = make(
        "241100", "Bưu cục Thất Khê", "post_office", t["province"], "06040", "24100"
    )
    t["vhx_that_khe"] = make(
        "VHX-TK", "BĐVHX Thất Khê", "bdvhx", t["po_that_khe"], "06040", "24101"
    )
    return t
