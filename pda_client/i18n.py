"""Screen texts in English and Simplified Chinese. Keys are the workflow steps and screen names."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "app_title": {"en": "WES Handheld", "zh-CN": "WES 手持终端"},
    "server": {"en": "Server", "zh-CN": "服务器"},
    "username": {"en": "User", "zh-CN": "用户名"},
    "password": {"en": "Password", "zh-CN": "密码"},
    "device": {"en": "Device", "zh-CN": "设备编号"},
    "login": {"en": "Log in", "zh-CN": "登录"},
    "menu": {"en": "What next?", "zh-CN": "请选择作业"},
    "move": {"en": "Move stock", "zh-CN": "移库"},
    "lookup": {"en": "Stock look-up", "zh-CN": "库存查询"},
    "queue": {"en": "Waiting to send", "zh-CN": "待上传"},
    "back": {"en": "Back", "zh-CN": "返回"},
    "send_now": {"en": "Send now", "zh-CN": "立即上传"},
    "dismiss": {"en": "Done, remove", "zh-CN": "已处理，移除"},
    "enter": {"en": "OK", "zh-CN": "确定"},
    "scan_here": {"en": "Scan or type, then Enter", "zh-CN": "扫描或输入后按回车"},
    "from_location": {"en": "Scan the location to take from.", "zh-CN": "请扫描取货库位。"},
    "item": {"en": "Scan the item or the LPN.", "zh-CN": "请扫描商品或托盘号。"},
    "qty": {"en": "How many?", "zh-CN": "数量？"},
    "to_location": {"en": "Scan the location to put them.", "zh-CN": "请扫描目标库位。"},
    "moved": {"en": "Moved. Scan the next location.", "zh-CN": "移库完成。请扫描下一个库位。"},
    "queued": {
        "en": "Saved on the handheld; sent when the network is back.",
        "zh-CN": "已保存在手持终端，网络恢复后自动上传。",
    },
    "lookup_prompt": {"en": "Scan a location, an item or an LPN.", "zh-CN": "请扫描库位、商品或托盘号。"},
    "pending": {"en": "waiting", "zh-CN": "待上传"},
    "rejected": {"en": "refused", "zh-CN": "被拒绝"},
    "online": {"en": "online", "zh-CN": "在线"},
    "offline": {"en": "offline", "zh-CN": "离线"},
}


def t(key: str, locale: str = "en") -> str:
    """The text for ``key`` in ``locale`` (English when a translation is missing)."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    return entry.get(locale) or entry["en"]
