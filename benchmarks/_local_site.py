"""A generated local news site for benchmarks: N article pages behind paginated list pages.

``/list/K.html`` holds links to 20 articles and a link to the next list page; ``/a/I.html`` is an
article with a title, time, author and a few paragraphs. Pages are rendered once, up front; the
server runs in its own process (``SiteProcess``) so it does not compete with the measured
crawler for the GIL.
"""
from __future__ import annotations

import multiprocessing as mp
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PER_LIST = 20
_PARA = ("长河银行第{i}号网点今天上午客流较大，部分客户反映等候时间较长，网点已增开窗口分流。",
         "银行方面表示，将持续优化预约服务，提醒客户错峰办理业务，并通过手机银行办理常见业务。",
         "有客户建议在营业厅增加等候座椅，并在排队超过半小时时主动告知预计等候时间。")


def article_html(i: int) -> bytes:
    body = "".join(f"<p>{p.format(i=i)}</p>" for p in _PARA)
    return (f"<html><head><meta charset='utf-8'><title>第{i}号网点客流观察_示例新闻网</title></head><body>"
            f"<div class='nav'>首页 | 财经 | 本地</div><h1 class='t'>第{i}号网点客流观察</h1>"
            f"<div class='meta'><span class='time'>2024-03-{1 + i % 28:02d} {8 + i % 10:02d}:{i % 60:02d}</span>"
            f"<span class='author'>记者{i % 7}</span></div><div class='content'>{body}</div>"
            f"<div class='footer'>版权所有</div></body></html>").encode("utf-8")


def list_html(k: int, pages: int, total: int) -> bytes:
    start = k * PER_LIST
    links = "".join(f"<li><a href='/a/{i}.html'>第{i}号网点</a></li>" for i in range(start, min(total, start + PER_LIST)))
    nxt = f"<a class='next' href='/list/{k + 1}.html'>下一页</a>" if k + 1 < pages else ""
    return f"<html><body><ul class='list'>{links}</ul>{nxt}</body></html>".encode("utf-8")


def build_pages(total: int) -> dict[str, bytes]:
    lists = (total + PER_LIST - 1) // PER_LIST
    pages = {f"/a/{i}.html": article_html(i) for i in range(total)}
    pages.update({f"/list/{k}.html": list_html(k, lists, total) for k in range(lists)})
    return pages


def _serve(total: int, ready: Any) -> None:
    pages = build_pages(total)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            status = 200 if body is not None else 404
            body = body if body is not None else b"not found"
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    ready.put(server.server_address[1])
    server.serve_forever()


class SiteProcess:
    """``with SiteProcess(2000) as base_url: ...`` serves the generated site from a child process."""

    def __init__(self, total: int):
        self.total = total
        ctx = mp.get_context("spawn")
        self._ready = ctx.Queue()
        self._proc = ctx.Process(target=_serve, args=(total, self._ready), daemon=True)

    def __enter__(self) -> str:
        self._proc.start()
        port = self._ready.get(timeout=30)
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self._proc.terminate()
        self._proc.join(5)
