"""Offline branch reports: CSV (UTF-8, GBK) and .xlsx; a bad row stores nothing of the file."""
from datetime import datetime, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from config.errors import InputError
from crawlers.offline import read_offline_reports

NOW = datetime(2026, 3, 16, 4, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parents[2]
HEADER = ["日期", "网点", "渠道", "客户原话", "员工备注"]
ROWS = [
    ["2026-03-14 10:20", "长河银行宜昌分行", "柜台", "你们手机银行转账失败，钱到现在都没退回来，我要投诉！", "客户情绪激动"],
    ["2026年3月15日", "长河银行武汉江汉路支行", "大堂", "听说你们银行要倒闭了，我要把存款全部取出来。", ""],
]


def write_csv(path: Path, rows, encoding="utf-8-sig", header=HEADER) -> Path:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_csv_utf8(tmp_path):
    mentions = read_offline_reports(write_csv(tmp_path / "r.csv", ROWS), fetched_at=NOW)
    first, second = mentions
    assert first.channel == "offline" and first.source == "offline" and first.site == "offline"
    assert first.url.startswith("offline://") and first.url.endswith("/2") and second.url.endswith("/3")
    assert first.text == ROWS[0][3] and first.title == "长河银行宜昌分行（柜台）"
    assert first.published_at.isoformat() == "2026-03-14T02:20:00+00:00"
    assert second.published_at.isoformat() == "2026-03-14T16:00:00+00:00"
    assert first.extra == {"branch": "长河银行宜昌分行", "report_channel": "柜台", "staff_notes": "客户情绪激动",
                           "file": "r.csv", "row": "2"}


def test_csv_gbk_with_english_headers_gives_the_same_mentions(tmp_path):
    utf8 = read_offline_reports(write_csv(tmp_path / "a.csv", ROWS), fetched_at=NOW)
    gbk = read_offline_reports(write_csv(tmp_path / "b.csv", ROWS, "gbk",
                                         ["Date", "Branch", "Channel", "Customer words", "Staff notes"]),
                               fetched_at=NOW)
    assert [(m.text, m.published_at, m.extra["branch"]) for m in gbk] == \
           [(m.text, m.published_at, m.extra["branch"]) for m in utf8]


def test_xlsx_with_real_dates_and_blank_rows(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([datetime(2026, 3, 14, 10, 20), "长河银行宜昌分行", "柜台", ROWS[0][3], None])
    ws.append([None, None, None, None, None])
    ws.append(["2026/03/15 09:00", "长河银行光谷支行", None, "柜员小刘服务很耐心，点赞。", "表扬"])
    wb.save(tmp_path / "r.xlsx")
    first, second = read_offline_reports(tmp_path / "r.xlsx", fetched_at=NOW, source_name="hubei-branches")
    assert first.source == "hubei-branches"
    assert first.published_at.isoformat() == "2026-03-14T02:20:00+00:00"
    assert second.url.endswith("/4") and second.title == "长河银行光谷支行"


@pytest.mark.parametrize("row, message", [
    (["不是日期", "长河银行宜昌分行", "柜台", "话", ""], "r.csv row 3: 日期 (date) '不是日期' is not a date"),
    (["2099-01-01", "长河银行宜昌分行", "柜台", "话", ""], "r.csv row 3: 日期 (date) '2099-01-01' is not a date"),
    (["", "长河银行宜昌分行", "柜台", "话", ""], "r.csv row 3: 日期 (date) is empty"),
    (["2026-03-14", "", "柜台", "话", ""], "r.csv row 3: 网点 (branch) is empty"),
    (["2026-03-14", "长河银行宜昌分行", "柜台", "", "备注"], "r.csv row 3: 客户原话 (customer words) is empty"),
])
def test_a_bad_row_is_named_and_nothing_is_returned(tmp_path, row, message):
    path = write_csv(tmp_path / "r.csv", [ROWS[0], row, ROWS[1]])
    with pytest.raises(InputError) as info:
        read_offline_reports(path, fetched_at=NOW)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("name, content, message", [
    ("r.csv", "日期,渠道\n2026-03-14,柜台\n", "r.csv row 1: missing column 网点 (branch), 客户原话 (customer words)"),
    ("r.csv", "", "r.csv: the file is empty (no header row)"),
    ("r.pdf", "x", "r.pdf: unsupported file type .pdf; use .csv or .xlsx"),
    ("r.xlsx", "not a zip", "r.xlsx: not a readable .xlsx workbook"),
])
def test_bad_files(tmp_path, name, content, message):
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_offline_reports(tmp_path / name, fetched_at=NOW)
    assert str(info.value).startswith(message)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_offline_reports(tmp_path / "nope.csv", fetched_at=NOW)


def test_shipped_templates_have_the_chinese_headers():
    csv_text = (ROOT / "crawlers/templates/offline_report_template.csv").read_text(encoding="utf-8-sig")
    assert csv_text.strip().split(",") == HEADER
    sheet = load_workbook(ROOT / "crawlers/templates/offline_report_template.xlsx").worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert read_offline_reports(ROOT / "crawlers/templates/offline_report_template.csv", fetched_at=NOW) == []
