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
    "receive": {"en": "Receive", "zh-CN": "收货"},
    "putaway": {"en": "Put away", "zh-CN": "上架"},
    "pick": {"en": "Pick", "zh-CN": "拣货"},
    "count": {"en": "Count", "zh-CN": "盘点"},
    "logout": {"en": "Log out", "zh-CN": "退出登录"},
    "act.claim": {"en": "Start", "zh-CN": "开始"},
    "act.short": {"en": "Short", "zh-CN": "缺货"},
    "act.done": {"en": "Done", "zh-CN": "完成"},
    "act.send": {"en": "Send now", "zh-CN": "立即上传"},
    "act.new_lpn": {"en": "New LPN", "zh-CN": "新托盘号"},
    "act.close": {"en": "Close receipt", "zh-CN": "完成收货单"},
}

# Chinese for the workflows' prompts, by "<flow>.<key>" or "<key>" (the English is the workflow's own sentence).
# Placeholders are the prompt's data.
FLOW_ZH: dict[str, str] = {
    # shared
    "offline": "没有网络，暂时无法获取任务。请稍后再试。",
    "server_says": "服务器拒绝：{detail}",
    "press_start": "请先按“开始”。",
    "not_location": "这不是库位。请扫描库位标签。",
    "wrong_location": "库位错误：应在 {location}，您扫描的是 {scanned}。",
    "not_item": "请扫描商品条码或托盘号。",
    "type_qty": "请输入数量后按回车。",
    "queued": "已保存在手持终端，网络恢复后自动上传。",
    "not_here": "此处不能执行该操作。",
    "unreadable": "无法识别该条码。",
    # pick
    "pick.claim": "按“开始”领取下一个拣货批次。",
    "pick.location": "请前往 {location}。扫描库位或输入校验码。",
    "pick.item": "请扫描 {sku} {lot}",
    "pick.qty": "{sku} 拿了几件？需拣 {left} 件。",
    "pick.short_confirm": "只有 {found} 件（应拣 {left} 件）？再输入一次 {found} 确认缺货。",
    "pick.tote": "把 {qty} 件 {sku} 放入 {slot} 号格（周转箱 {tote}）。请扫描周转箱。",
    "pick.done": "批次 {batch} 已拣完。请把拣货车送到打包区。",
    "pick.done_pending": "批次 {batch} 已拣完；{pending} 条确认等待网络上传。",
    "pick.no_batch": "暂无待拣批次。请稍后再试。",
    "pick.not_item": "请扫描商品条码：{sku}。",
    "pick.wrong_lpn": "托盘错误：此拣货应为托盘 {lpn}。",
    "pick.wrong_item": "商品错误：此拣货应为 {sku}。请扫描 {sku}。",
    "pick.wrong_lot": "批号错误：此拣货应为批号 {lot}。",
    "pick.over_pick": "数量过多：此处只需拣 {left} 件。",
    "pick.none_press_short": "一件都没有？请按“缺货”。",
    "pick.wrong_tote": "周转箱错误：请放入 {slot} 号格（{tote}）。",
    "pick.pick_refused": "服务器拒绝：{detail} 请重新扫描库位。",
    "pick.replay_refused": "服务器拒绝了之前的一次拣货：{detail} 请回到 {location} 重新拣货。",
    "pick.last.picked": "已拣 {qty} 件放入 {slot} 号格。",
    "pick.last.shorted": "已报缺货。",
    "pick.last.queued": "已保存在手持终端，网络恢复后自动上传。",
    # putaway
    "putaway.claim": "按“开始”领取下一个上架任务。",
    "putaway.lpn": "取托盘 {lpn}（{qty} 件 {sku}）。请扫描托盘号。",
    "putaway.location": "送到 {location}。扫描库位或输入校验码。",
    "putaway.no_putaway": "暂无上架任务。",
    "putaway.not_lpn": "请扫描托盘上的托盘号标签（{lpn}）。",
    "putaway.wrong_lpn": "这是 {scanned}，此任务是 {lpn}。",
    "putaway.not_suggested": "这是 {scanned}，不是 {location}。请扫描 {location}，或再扫一次 {scanned} 放到那里。",
    "putaway.queued_next": "已保存在手持终端，网络恢复后自动上传。按“开始”继续。",
    "putaway.put_away": "已上架到 {where}。按“开始”继续。",
    # count
    "count.claim": "按“开始”领取下一个盘点任务。",
    "count.location": "请前往 {location}。扫描库位或输入校验码。",
    "count.item": "扫描 {location} 的商品，或按“完成”。已盘 {lines} 种。",
    "count.qty": "{item} 有几件？",
    "count.empty": "{location} 是空的？再按一次“完成”确认。",
    "count.no_count": "暂无盘点任务。",
    "count.wrong_location": "库位错误：盘点库位是 {location}，您扫描的是 {scanned}。",
    "count.count_refused": "服务器拒绝：{detail} 请重新扫描库位。",
    "count.count_counted": "盘点已保存。按“开始”继续。",
    "count.count_recount": "盘点已保存；该库位将复盘。按“开始”继续。",
    "count.count_approval": "盘点已保存；主管将审核。按“开始”继续。",
    # receive
    "receive.document": "请扫描到货通知单号或采购单号，或托盘标签。",
    "receive.receive": "收货单 {receipt}：扫描托盘、商品或要收到的托盘号。",
    "receive.qty": "{item} 有几件？",
    "receive.no_document": "没有未完成的到货通知或采购单 {doc}。",
    "receive.pallet_received": "托盘 {sscc} 已收货，托盘号 {new_lpn}。请扫描下一个托盘或商品。",
    "receive.onto_lpn": "商品将收到 {lpn}。",
    "receive.not_receivable": "请扫描托盘标签、商品或托盘号。",
    "receive.items_received": "已收 {qty} 件 {item}。请扫描下一个托盘或商品。",
    "receive.offline_lpn": "没有网络：请扫描已打印的托盘号标签。",
    "receive.new_lpn_made": "新托盘号 {lpn}：贴上标签，商品将收到此托盘。",
    "receive.receipt_closed": "收货单 {number} 已完成。请扫描下一张单据。",
    # what to do about a refused replay (pda_client.core.advice)
    "advice_stock": "库存已变动：请查询库位后重新操作。",
    "advice_location": "请回到库位，扫描标签后重新操作。",
    "advice_item": "请核对手中商品并重新扫描。",
    "advice_qty": "请重新清点，输入实际数量。",
    "advice_done": "已有人完成此任务，无需处理。",
    "advice_supervisor": "请联系主管。",
    "advice_other_location": "该库位放不下：请按手持终端提示放到其他库位。",
    "advice_gs1": "请扫描带批号和有效期的 GS1 标签，而不是普通条码。",
    "advice_gone": "服务器上已不存在，无需处理。",
}


def t(key: str, locale: str = "en") -> str:
    """The text for ``key`` in ``locale`` (English when a translation is missing)."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    return entry.get(locale) or entry["en"]


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


def localize(flow: str, key: str, english: str, locale: str, data: dict[str, object] | None = None) -> str:
    """A workflow's prompt in ``locale``: its English sentence, or the Chinese text for ``flow.key`` / ``key``
    filled in with the prompt's data (the English sentence when there is no translation)."""
    if locale == "en":
        return english
    text = FLOW_ZH.get(f"{flow}.{key}") or FLOW_ZH.get(key)
    if text is None:
        return english
    return text.format_map(_Blank(data or {}))
