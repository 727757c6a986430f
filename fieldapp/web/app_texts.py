"""Messages the phone's scripts show on the pages kept for offline work, in the user's
language. Rules the server also enforces use the server's own wording, so a record
refused on the phone and one refused at sync read the same."""
from __future__ import annotations

from fieldapp.i18n import gettext as _
from fieldapp.services import inspections


def capture() -> dict[str, str]:
    return {
        **{f"missing_{k}": str(v) for k, v in inspections.MISSING.items()},
        "no_user": _("请先登录。登录需要联网；登录后，没有信号时也可以继续工作。"),
        "no_enterprise": _("本机的离线资料中没有这家企业。请联网打开一次首页，下载离线资料后再试。"),
        "no_record": _("本机没有这条记录（可能已经同步或已删除）。"),
        "no_template": _("本机没有该企业适用的检查表。请联网打开一次首页，更新离线资料。"),
        "meta": _("记录 {uuid} · 开始于 {time}"),
        "position": _("{lat}, {lng} ±{acc} 米"),
        "distance": _("距企业登记位置 {m} 米"),
        "far": _("超过 500 米，请确认是否在企业现场"),
        "general": _("一般"),
        "major": _("重大"),
        "remove_photo": _("移除"),
        "photo_in_hazard": _("该照片是已上报隐患的证据，不能删除。"),
        "photo_failed": _("有照片未能保存（文件无法读取，或本机存储空间不足）。请重拍或先同步、清理空间。"),
        "confirm_delete": _("删除这份草稿？照片也会一并删除，无法恢复。"),
        "hazard_description": _("请描述隐患情况。"),
        "hazard_level": _("请选择隐患等级建议：一般或重大。"),
        "hazard_photos": _("上报隐患必须附至少一张现场照片作为证据。"),
        "signature_missing": _("请在签名框内签字。"),
        "signature_simple": _("签名过于简单（像一个点或一条短线），请签写完整的姓名。"),
        "signer_name": _("请现场负责人填写姓名。"),
        "refusal_reason": _("请记录拒绝签字的情况和理由。"),
        "refusal_photo": _("拒绝签字须拍摄现场照片留证。"),
        "done_waiting": _("记录已定稿，保存在本机。恢复网络后会自动同步，请勿清除浏览器数据。"),
        "done_synced": _("记录已同步，编号 {number}。"),
        "done_failed": _("同步未成功：{error}"),
        "no_recheck": _("本机的离线资料中没有这条待复查的隐患（可能已被复查）。请联网后刷新。"),
        "recheck_result": _("请选择复查结果。"),
        "recheck_photos": _("复查须拍摄现场照片（至少一张）。"),
        "recheck_note": _("复查不通过须写明原因。"),
        "recheck_deadline": _("请填写不早于今天的新整改期限。"),
        "deadline": _("整改期限：{date}"),
        "measures": _("整改要求：{text}"),
    }


def outbox() -> dict[str, str]:
    return {
        "no_user": _("请先登录。登录需要联网；登录后，没有信号时也可以继续工作。"),
        "state_draft": _("草稿（未定稿）"),
        "state_ready": _("待同步"),
        "state_sending": _("正在发送"),
        "state_failed": _("同步失败"),
        "state_synced": _("已同步"),
        "kind_recheck": _("复查"),
        "view": _("查看"),
        "continue": _("继续填写"),
        "delete": _("删除"),
        "confirm_delete": _("确认删除：这条记录和照片将从本机永久删除，无法恢复"),
        "cancel": _("取消"),
        "attempts": _("已尝试 {n} 次"),
        "media": _("{n} 个照片或签名文件，{size}"),
        "last_error": _("最近一次错误：{error}"),
        "number": _("编号 {number}"),
        "idle": _("全部已同步。"),
        "pending": _("本机有 {n} 条未同步 — 仅存于本机"),
        "syncing": _("正在同步…"),
        "busy": _("另一个页面正在同步，请稍候。"),
        "offline": _("当前没有网络。恢复网络后会自动同步。"),
        "login": _("登录已过期：请重新登录，登录后自动同步。记录仍保存在本机。"),
        "retry": _("服务器暂时无法连接，将于 {time} 自动重试。"),
        "done": _("同步完成：成功 {sent} 条，失败 {failed} 条。"),
        "storage": _("已用 {used}，可用空间约 {quota}。"),
        "persisted": _("已获持久保存：浏览器不会自动清除本机记录。"),
        "not_persisted": _("未获持久保存：手机空间紧张时浏览器可能清除数据，请尽快同步。"),
        "exported": _("已导出 {n} 条记录。"),
    }
