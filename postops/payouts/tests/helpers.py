"""Builders for payroll files in tests."""

import csv
import io

import openpyxl

ENGLISH = [
    "beneficiary_code",
    "full_name",
    "date_of_birth",
    "sex",
    "id_number",
    "address",
    "commune_code",
    "payout_point_code",
    "amount",
    "arrears",
    "months",
    "home_payout",
    "note",
]
VIETNAMESE = [
    "Mã số",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CCCD",
    "Địa chỉ",
    "Mã xã",
    "Mã điểm chi trả",
    "Số tiền",
    "Truy lĩnh",
    "Số tháng",
    "Chi tại nhà",
    "Ghi chú",
]


def row(code="LS0001", **over):
    values = {
        "beneficiary_code": code,
        "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": "04/03/1950",
        "sex": "Nữ",
        "id_number": "020150001234",
        "address": "Số 5 đường Lê Lợi",
        "commune_code": "99901",
        "payout_point_code": "",
        "amount": "3.250.000",
        "arrears": "",
        "months": "1",
        "home_payout": "0",
        "note": "",
    }
    values.update(over)
    return [values[k] for k in ENGLISH]


def person(n: int, **over):
    """A distinct valid person: male born 1945 with serial ``n``."""
    values = {
        "full_name": f"Trần Văn {n}",
        "date_of_birth": "1945-01-01",
        "sex": "M",
        "id_number": f"020045{n:06d}",
    }
    values.update(over)
    return row(code=f"P{n:06d}", **values)


def csv_bytes(rows, header=ENGLISH, *, delimiter=",", newline="\r\n", bom=False):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, header=VIETNAMESE):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
