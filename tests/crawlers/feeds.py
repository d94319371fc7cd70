"""Feed and page bodies for the local-server tests."""
from __future__ import annotations


def rss(items: list[tuple[str, str, str, str]], *, encoding: str = "utf-8", title: str = "测试新闻") -> bytes:
    """items: (title, link, pubDate, description)."""
    body = "".join(f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate>"
                   f"<description>{desc}</description></item>" for t, link, d, desc in items)
    text = (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.org/</link><description>x</description>{body}</channel></rss>")
    return text.encode(encoding)


TEXT_A = "长河银行手机银行升级后大面积转账失败，多名储户反映资金被冻结，银行客服电话长时间无法接通。"
TEXT_B = "长河银行宜昌分行今日发布公告，称系统已恢复正常，受影响客户可以到网点申请补偿和利息损失。"
TEXT_C = "长河银行武汉江汉路支行门口排起长队，有储户担心存款安全，银行方面表示经营一切正常。"


def page(title: str, body: str, *, time: str = "2026-03-15 10:20", charset: str | None = None,
         author: str = "记者 王五") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<html><head>{meta}<title>{title}</title></head><body><h1 class='title'>{title}</h1>"
            f"<span class='time'>{time}</span><span class='author'>{author}</span>"
            f"<div class='article-body'><p>{body}</p></div></body></html>")
