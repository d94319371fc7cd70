"""HTML of the test site's pages (our own text)."""
from __future__ import annotations


def list_page(links: list[str], next_link: str | None = None) -> str:
    items = "".join(f'<li class="item"><a href="{href}">第{i}条</a></li>' for i, href in enumerate(links, 1))
    nxt = f'<a class="next" href="{next_link}">下一页</a>' if next_link else ""
    return f"<html><body><ul class='list'>{items}</ul>{nxt}</body></html>"


_CHROME = {False: ("测试网", "首页 | 财经", "本报记者将继续关注此事进展。", "版权所有"),
           True: ("測試網", "首頁 | 財經", "本報記者將繼續關注此事進展。", "版權所有")}


def article(title: str, body: str, when: str = "2024-03-01 10:20", author: str = "记者甲",
            charset: str = "utf-8", traditional: bool = False) -> str:
    site, nav, tail, footer = _CHROME[traditional]
    return (f'<html><head><meta charset="{charset}"><title>{title}_{site}</title></head><body>'
            f'<div class="nav">{nav}</div><h1 class="t">{title}</h1>'
            f'<div class="meta"><span class="time">{when}</span> <span class="author">{author}</span></div>'
            f'<div class="content"><p>{body}</p><p>{tail}</p></div>'
            f'<div class="footer">{footer}</div></body></html>')


def bare_article(title: str, body: str, when: str) -> str:
    """No classes at all: only generic extraction can read it."""
    paras = "".join(f"<p>{body}（第{i}段）银行相关负责人表示将尽快处理客户诉求，并加强网点服务管理。</p>"
                    for i in range(1, 4))
    return (f"<html><head><title>{title} - 某某论坛</title></head><body><div>导航 首页 新闻</div>"
            f"<h1>{title}</h1><div>发布时间：{when}</div><div>{paras}</div><div>友情链接 关于我们</div>"
            f"</body></html>")


def thread_page(title: str, posts: list[tuple[str, str, str, str]], next_link: str | None = None,
                replies: str = "12", views: str = "3,456") -> str:
    body = "".join(
        f'<div class="post" id="p{pid}"><span class="who">{who}</span><span class="when">{when}</span>'
        f'<a class="perma" href="?pid={pid}">#</a><div class="msg">{text}</div></div>'
        for pid, who, when, text in posts)
    nxt = f'<a class="nextpage" href="{next_link}">下一页</a>' if next_link else ""
    return (f'<html><body><h1 class="subject">{title}</h1><div class="stats">回复 <b class="r">{replies}</b>'
            f' 查看 <b class="v">{views}</b></div>{body}{nxt}</body></html>')


def forum_list(threads: list[tuple[str, str, str]]) -> str:
    rows = "".join(f'<tr class="row"><td><a class="th" href="{href}">帖子</a></td><td class="rc">{r}</td>'
                   f'<td class="vc">{v}</td></tr>' for href, r, v in threads)
    return f"<html><body><table>{rows}</table></body></html>"
