"""HTML for the dashboard's pages. Every value from the database goes through ``esc`` (html.escape,
quotes included); the fixed Chinese text goes through ``Page.t`` for Traditional when asked.
No scripts and no external assets: plain CSS inline, so it works on an isolated bank network."""
from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from alerts.render import localise

from .style import CSS

COLOUR_SHORT = {"blue": "蓝", "yellow": "黄", "orange": "橙", "red": "红"}
COLOUR_LONG = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
CHANGE_ZH = {"new": "新发", "raise": "升级", "fall": "降级", "same": "提醒"}
STATUS_ZH = {"new": "新发", "active": "持续", "cooling": "降温", "closed": "已关闭"}
POLARITY_ZH = {"neg": "负面", "neu": "中性", "pos": "正面"}
SOURCE_STATUS_ZH = {"ok": "正常", "stale": "停滞", "broken": "故障", "new": "未运行"}
STAGE_ZH = {"crawl": "抓取", "analyse": "分析", "score": "研判", "alert": "告警", "cycle": "整轮", "report": "日报"}
NAV = (("/", "预警动态"), ("/events", "事件"), ("/sources", "数据源"))


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def safe_href(url: str | None) -> str | None:
    """Only http(s) links are clickable: a crawled ``javascript:`` URL must never become one."""
    if not url:
        return None
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


class Page:
    def __init__(self, language: str, tz: str, *, ask_name: bool = True):
        # ask_name: forms carry a name field unless the proxy tells the app who is signed in
        self.language, self.tz, self.ask_name = language, tz, ask_name

    def _name_field(self, label: str) -> str:
        if not self.ask_name:
            return ""
        return (f'<input name="staff" required maxlength="100" placeholder="{self.t(label)}" '
                f'aria-label="{self.t(label)}">')

    def t(self, text: str) -> str:
        """Fixed interface text, converted for zh-Hant, then escaped."""
        return esc(localise(text, self.language))

    def time(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        return esc(moment.astimezone(ZoneInfo(self.tz)).strftime("%Y-%m-%d %H:%M"))

    def badge(self, colour: str | None) -> str:
        if colour not in COLOUR_SHORT:
            return f'<span class="badge none">{self.t("无")}</span>'
        return f'<span class="badge {colour}" title="{self.t(COLOUR_LONG[colour] + "预警")}">' \
               f'{self.t(COLOUR_SHORT[colour])}</span>'

    def layout(self, title: str, body: str, *, now: datetime, refresh: int | None = None) -> str:
        lang = "zh-Hant" if self.language == "zh-Hant" else "zh-Hans"
        nav = "".join(f'<a href="{href}">{self.t(label)}</a>' for href, label in NAV)
        meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
        return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">{meta}'
                f'<title>{self.t(title)} · {self.t("舆情预警")}</title><style>{CSS}</style></head><body>'
                f'<header><strong>{self.t("舆情监测预警")}</strong><nav>{nav}</nav></header>'
                f'<main><h1>{self.t(title)}</h1>{body}</main>'
                f'<footer>{self.t("页面生成于")} {self.time(now)}（{esc(self.tz)}）</footer></body></html>')

    # ---- pages -------------------------------------------------------------------------

    def feed(self, entries: list[dict[str, Any]], now: datetime) -> str:
        if not entries:
            body = f'<p class="empty">{self.t("暂无预警。")}</p>'
        else:
            body = "".join(self._feed_entry(e) for e in entries)
        note = f'<p class="muted">{self.t("每 60 秒自动刷新，最新的在最前。")}</p>'
        return self.layout("预警动态", note + body, now=now, refresh=60)

    def _feed_entry(self, e: dict[str, Any]) -> str:
        change = self.t(CHANGE_ZH.get(e["change"] or "", ""))
        event = f'{esc(e["entity"])} · {esc(e["topic_label"])}'
        if e["event_id"] is not None:
            event = f'<a href="/events/{int(e["event_id"])}">#{int(e["event_id"])} {event}</a>'
        why = "".join(f"<li>{esc(w)}</li>" for w in e["why"])
        figures = "；".join(f"{esc(label)} {esc(value)}" for label, value in e["indicators"])
        advice = ""
        if e["handling"] or e["advice"]:
            limit = e["respond_within_hours"]
            terms = ([f'{self.t("响应时限")} {esc(_num(limit))} {self.t("小时内")}'] if limit else []) + \
                ([f'{self.t("责任层级")}：{esc(e["responsible"])}'] if e["responsible"] else [])
            advice = (f'<p><b>{self.t("处置建议")}</b>：{esc(e["handling"])}——{esc(e["advice"])}'
                      + (f'（{"，".join(terms)}）' if terms else "") + "</p>")
        return (f'<article class="card {esc(e["colour"] or "none")}">{self.badge(e["colour"])} '
                f'<span class="change">{change}</span> <h2>{event}</h2>'
                f'<p class="muted">{self.t("研判时间")} {self.time(e["evaluated_at"])}</p>'
                + (f'<p><b>{self.t("原因")}</b>：</p><ul>{why}</ul>' if why else "")
                + (f'<p><b>{self.t("关键指标")}</b>：{figures}</p>' if figures else "")
                + advice + "</article>")

    def events(self, rows: list[dict[str, Any]], now: datetime) -> str:
        counts: dict[str | None, int] = {}
        for r in rows:
            counts[r["colour"]] = counts.get(r["colour"], 0) + 1
        summary = " ".join(f'{self.badge(c)} {counts.get(c, 0)}' for c in ("red", "orange", "yellow", "blue"))
        if not rows:
            return self.layout("事件", f'<p class="empty">{self.t("暂无未关闭的事件。")}</p>', now=now)
        head = "".join(f"<th>{self.t(h)}</th>" for h in
                       ("颜色", "事件", "状态", "排序分", "帖文", "报道", "负面", "首次出现", "最近出现"))
        body = "".join(
            f'<tr><td>{self.badge(r["colour"])}</td>'
            f'<td><a href="/events/{int(r["id"])}">#{int(r["id"])} '
            f'{esc(r["entity"])} · {esc(r["topic_label"])}</a></td>'
            f'<td>{self.t(STATUS_ZH.get(r["status"], r["status"]))}</td>'
            f'<td>{esc(_num(r["score"]))}</td><td>{r["counts"]["mentions"]}</td>'
            f'<td>{r["counts"]["stories"]}</td><td>{r["counts"]["negative"]}</td>'
            f'<td>{self.time(r["first_seen"])}</td><td>{self.time(r["last_seen"])}</td></tr>' for r in rows)
        table = f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
        return self.layout("事件", f'<p>{self.t("未关闭事件")} {len(rows)}：{summary}</p>{table}', now=now)

    def event(self, d: dict[str, Any], now: datetime, token: str) -> str:
        parts = [f'<p>{self.badge(d["colour"])} {esc(d["entity"])} · {esc(d["topic_label"])}'
                 f'（{self.t(STATUS_ZH.get(d["status"], d["status"]))}）'
                 f'；{self.t("首次出现")} {self.time(d["first_seen"])}，{self.t("最近出现")} {self.time(d["last_seen"])}</p>']
        if d["advice"]:
            a = d["advice"]
            parts.append(f'<p class="advice"><b>{esc(a["label"])} · {esc(a["handling"])}</b>：{esc(a["advice"])}'
                         f'（{self.t("责任主体")}：{esc(a["responsible"])}；{self.t("响应时限")} '
                         f'{esc(_num(a["respond_within_hours"]))} {self.t("小时内")}）</p>')
        parts.append(f'<h2>{self.t("研判说明")}</h2><pre class="explain">{esc(d["explanation"])}</pre>')
        if d["rules"]:
            parts.append(f'<h2>{self.t("触发的规则")}</h2><ul>' + "".join(f"<li>{esc(r)}</li>" for r in d["rules"])
                         + "</ul>")
        if d["indicators"]:
            rows = "".join(f'<tr><td>{esc(i["label"])}</td><td><code>{esc(i["name"])}</code></td>'
                           f'<td>{esc(_num(i["value"]))}</td></tr>' for i in d["indicators"])
            parts.append(f'<h2>{self.t("指标")}</h2><div class="scroll"><table><tbody>{rows}</tbody></table></div>')
        parts.append(self._mentions(d, token))
        parts.append(self._staff_actions(d, token))
        parts.append(self._history(d["warnings"]))
        return self.layout(f'事件 #{int(d["id"])}', "".join(parts), now=now)

    def _mentions(self, d: dict[str, Any], token: str) -> str:
        head = "".join(f"<th>{self.t(h)}</th>" for h in ("拆分", "标题", "来源", "时间", "情感", "危害", "人工更正"))
        rows = []
        for m in d["mentions"]:
            title = m["title"] or (m["text"] or "")[:60]
            href = safe_href(m["url"])
            link = (f'<a href="{esc(href)}" rel="noopener noreferrer" target="_blank">{esc(title)}</a>'
                    if href else esc(title))
            dup = f' <span class="muted">({self.t("转载")})</span>' if m["near_duplicate_of"] else ""
            fixed = m["corrected"]
            polarity = self.t(POLARITY_ZH.get(m["polarity"], "未分析")) if m["polarity"] else self.t("未分析")
            if fixed:
                polarity += (f'<br><span class="muted">{self.t("已更正为")}{self.t(POLARITY_ZH.get(fixed["label"], ""))}'
                             f'（{esc(fixed["by"])}）</span>')
            tick = (f'<input type="checkbox" name="mentions" value="{int(m["id"])}" form="split-form" '
                    f'aria-label="{self.t("拆分")} #{int(m["id"])}">')
            rows.append(f'<tr id="m{int(m["id"])}"><td>{tick}</td><td>{link}{dup}</td><td>{esc(m["source"])}</td>'
                        f'<td>{self.time(m["published_at"] or m["fetched_at"])}</td><td>{polarity}</td>'
                        f'<td>{esc(m["harm"] if m["harm"] is not None else "—")}</td>'
                        f'<td>{self._correction_form(m["id"], d["id"], token)}</td></tr>')
        shown = len(d["mentions"])
        more = (f'<p class="muted">{self.t("只列出最新的")} {shown} {self.t("条")}</p>'
                if d["counts"]["mentions"] > shown else "")
        return (f'<h2>{self.t("相关帖文")}（{d["counts"]["mentions"] if more else shown}）</h2>{more}'
                f'<div class="scroll"><table>'
                f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')

    def _correction_form(self, mention_id: int, event_id: int, token: str) -> str:
        options = "".join(f'<option value="{k}">{self.t(v)}</option>' for k, v in POLARITY_ZH.items())
        return (f'<form method="post" action="/mentions/{int(mention_id)}/sentiment" class="fix">'
                f'<input type="hidden" name="csrf" value="{esc(token)}">'
                f'<input type="hidden" name="next" value="/events/{int(event_id)}#m{int(mention_id)}">'
                f'<select name="label" aria-label="{self.t("情感")}">{options}</select>'
                f'{self._name_field("更正人")}<button>{self.t("提交")}</button></form>')

    def _staff_actions(self, d: dict[str, Any], token: str) -> str:
        """Merge another event into this one; split the ticked mentions off into a new event."""
        eid = int(d["id"])
        hidden = f'<input type="hidden" name="csrf" value="{esc(token)}">'
        staff = self._name_field("操作人")
        topics = f'<option value="">{self.t("与原事件相同的议题")}</option>' + "".join(
            f'<option value="{esc(key)}">{esc(label)}</option>' for key, label in d["topic_choices"])
        return (f'<h2>{self.t("人工处置")}</h2>'
                f'<form id="split-form" method="post" action="/events/{eid}/split" class="fix">{hidden}'
                f'<select name="topic" aria-label="{self.t("新事件议题")}">{topics}</select>{staff}'
                f'<button>{self.t("将勾选的帖文拆分为新事件")}</button></form>'
                f'<form method="post" action="/events/{eid}/merge" class="fix">{hidden}'
                f'<input name="source" required inputmode="numeric" pattern="[0-9]+" '
                f'placeholder="{self.t("事件编号")}" aria-label="{self.t("要并入的事件编号")}">{staff}'
                f'<button>{self.t("并入本事件")}</button></form>'
                f'<p class="muted">{self.t("合并、拆分后系统会立即重新研判相关事件。")}</p>')

    def _history(self, warnings: list[dict[str, Any]]) -> str:
        if not warnings:
            return f'<h2>{self.t("预警记录")}</h2><p class="empty">{self.t("尚无预警记录。")}</p>'
        rows = "".join(f'<tr><td>{self.time(w["evaluated_at"])}</td><td>{self.badge(w["previous_colour"])} → '
                       f'{self.badge(w["colour"])}</td><td>{esc(_num(w["score"]))}</td>'
                       f'<td><code>{esc(w["thresholds_hash"])}</code></td></tr>' for w in reversed(warnings))
        head = "".join(f"<th>{self.t(h)}</th>" for h in ("评估时间", "颜色变化", "排序分", "阈值文件哈希"))
        return (f'<h2>{self.t("预警记录")}</h2><div class="scroll"><table><thead><tr>{head}</tr></thead>'
                f'<tbody>{rows}</tbody></table></div>')

    def sources(self, rows: list[dict[str, Any]], now: datetime) -> str:
        if not rows:
            return self.layout("数据源", f'<p class="empty">{self.t("尚无抓取记录。")}</p>', now=now)
        head = "".join(f"<th>{self.t(h)}</th>" for h in
                       ("数据源", "状态", "上次成功", "最近错误", "连续失败", "上轮条数", "上轮新增"))
        body = "".join(
            f'<tr><td>{esc(r["name"])}<br><span class="muted">{esc(r["type"])} · {esc(r["channel"])}</span></td>'
            f'<td><span class="status {esc(r["status"])}">{self.t(SOURCE_STATUS_ZH.get(r["status"], r["status"]))}'
            f'</span></td><td>{self.time(r["last_success_at"])}</td>'
            f'<td>{esc((r["last_error"] or "—")[:300])}'
            + (f'<br><span class="muted">{self.time(r["last_error_at"])}</span>' if r["last_error_at"] else "")
            + f'</td><td>{int(r["consecutive_failures"] or 0)}</td><td>{int(r["items_last_run"] or 0)}</td>'
            f'<td>{int(r["new_items_last_run"] or 0)}</td></tr>' for r in rows)
        return self.layout("数据源", f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
                                     f'<tbody>{body}</tbody></table></div>', now=now)

    def message(self, title: str, text: str, now: datetime) -> str:
        return self.layout(title, f'<p>{self.t(text)}</p><p><a href="/">{self.t("返回预警动态")}</a></p>', now=now)


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)
