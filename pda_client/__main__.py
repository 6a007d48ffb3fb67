"""`wes-pda --server URL` (or `python -m pda_client`): run the handheld app on a desktop or device."""

from __future__ import annotations

import argparse
import asyncio
import os


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="wes-pda", description="WES handheld app")
    parser.add_argument("--server", default=os.environ.get("WES_PDA_SERVER", "http://127.0.0.1:8000"))
    parser.add_argument("--device", default=os.environ.get("WES_PDA_DEVICE", ""), help="this handheld's code")
    parser.add_argument("--locale", default="en", choices=["en", "zh-CN"])
    parser.add_argument("--data-dir", default=None, help="where the offline queue is kept")
    args = parser.parse_args(argv)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from pda_client.ui.app import PdaApp

    app = PdaApp(args.server, args.device, args.data_dir, locale=args.locale)
    asyncio.run(app.async_run(async_lib="asyncio"))


if __name__ == "__main__":
    main()
