"""`wes bench board` on a small warehouse: every page it times answers 200 (a page that breaks fails the bench
instead of being timed), and the result names the slowest page."""

from __future__ import annotations

from server.board.bench import bench_board


async def test_bench_board_times_every_page(db_url: str) -> None:
    result = await bench_board(db_url, orders=120, locations=400, skus=12, repeat=1)
    pages = result["pages"]
    assert result["open_orders_allocated"] > 0 and result["locations"] >= 400
    for page in ("/board/waves?warehouse_id=", "/board/returns", "/board/webhooks?status=all", "/board/tasks"):
        assert any(url.startswith(page) for url in pages), page
    assert result["slowest_page"] in pages and result["slowest_median_ms"] == max(
        p["median_ms"] for p in pages.values()
    )
