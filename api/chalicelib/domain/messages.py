"""Messages the domain speaks to people, in Chinese and English.

A ``Message`` is a key plus parameters; it is rendered in the caller's language only at the edge.
Parameters may be plain values or ``Label``s (rendered in the same language).
"""

from __future__ import annotations

from collections.abc import Mapping

from msgspec import Struct, field

from .vocabulary import Label, Lang, label

__all__ = ["Message", "field_message", "render"]

_TEMPLATES: dict[str, tuple[str, str]] = {
    # Whole-request outcomes
    "validation_failed": (
        "提交的信息有误，请按提示修改后重新提交。",
        "There is a problem with what you submitted: correct it and try again.",
    ),
    "invalid_json": ("请求内容不是有效的 JSON。", "The request body is not valid JSON."),
    "json_object_required": ("请求内容应为一个 JSON 对象。", "The request body must be a JSON object."),
    "unsupported_media_type": (
        "不支持的内容类型，请使用 application/json 或表单提交。",
        "Unsupported content type: send application/json or a form post.",
    ),
    "body_too_large": (
        "提交的内容过大（上限 {limit} 字节）。",
        "The request is too large (limit: {limit} bytes).",
    ),
    "invalid_tracking_number": (
        "投诉编号有误，请核对后重新输入。编号由12位字母和数字组成。",
        "This tracking number is not valid. Check it and try again: it has 12 letters and digits.",
    ),
    "invalid_tracking_number_symbol": (
        "投诉编号有误：编号只含数字和字母（不含 U），请核对后重新输入。",
        "This tracking number is not valid: it has only digits and letters (never U). Check it and try again.",
    ),
    "invalid_tracking_number_check": (
        "投诉编号有一位看起来不对（或有两位顺序颠倒），请对照收到的编号逐位核对。",
        "One character of this tracking number looks wrong (or two are swapped). Check it against the number you were given.",
    ),
    "not_found": (
        "未找到该投诉编号对应的投诉，请核对编号。",
        "No complaint has this tracking number. Check the number.",
    ),
    "tracking_number_required": ("请输入投诉编号。", "Enter your tracking number."),
    "route_not_found": ("请求的地址不存在。", "There is nothing at this address."),
    "method_not_allowed": ("不支持该请求方法。", "This method is not allowed here."),
    "idempotency_mismatch": (
        "同一个 Idempotency-Key 已用于另一份不同的投诉，请为新的投诉使用新的键。",
        "This Idempotency-Key was already used for a different complaint: use a new key for a new complaint.",
    ),
    "invalid_idempotency_key": (
        "Idempotency-Key 应为 1 到 128 个可见 ASCII 字符。",
        "The Idempotency-Key must be 1 to 128 visible ASCII characters.",
    ),
    "transition_not_allowed": (
        "投诉当前状态为“{current}”，不能变更为“{target}”。",
        "The complaint is “{current}” and cannot become “{target}”.",
    ),
    "version_conflict": (
        "该投诉已被他人修改，请刷新后重试。",
        "Someone else changed this complaint: reload it and try again.",
    ),
    "service_unavailable": ("服务暂时繁忙，请稍后重试。", "The service is busy: try again shortly."),
    "internal_error": (
        "服务出现意外错误，请稍后重试。",
        "Something went wrong on our side: try again later.",
    ),
    # Staff and complainant actions
    "unauthorized": (
        "请先登录：缺少或无效的身份凭证。",
        "Sign in first: the credentials are missing or not valid.",
    ),
    "forbidden_role": ("您的角色无权执行此操作。", "Your role does not allow this."),
    "forbidden_department": (
        "该投诉不属于您所在的部门。",
        "This complaint is not assigned to your department.",
    ),
    "forbidden_same_person": (
        "复查须由未参与原处理的人员决定：您曾受理、不予受理或答复该投诉，或决定过它此前的复查。",
        "A review must be decided by someone who took no part in the handling: you accepted, rejected or responded to this complaint, or decided an earlier review of it.",
    ),
    "action_not_allowed": (
        "投诉当前状态为“{current}”，不能执行“{action}”。",
        "The complaint is “{current}”: “{action}” is not possible now.",
    ),
    "nothing_to_extend": ("当前没有可延长的处理时限。", "There is no open time limit to extend."),
    "due_not_later": (
        "新的截止时间必须晚于现有时限和当前时间。",
        "The new due date must be later than the current one and than now.",
    ),
    "due_too_late": (
        "时限自现有截止时间起最多可延长 {amount} 个工作日。",
        "A time limit can be extended by at most {amount} working days beyond the current one.",
    ),
    "no_callback_owed": ("该投诉当前没有待完成的回访。", "No call back is owed on this complaint now."),
    "retry_not_later": ("再次回访的时间必须晚于现在。", "The time to call again must be later than now."),
    "retry_too_late": (
        "再次回访最迟须在 {amount} 个工作日内。",
        "The next call back must be within {amount} working days.",
    ),
    "extension_already_requested": (
        "已有一项延期申请等待主管决定。",
        "An extension has already been asked for and waits for a supervisor's decision.",
    ),
    "no_extension_request": ("该投诉没有待决定的延期申请。", "No extension request waits for a decision."),
    "nothing_to_acknowledge": (
        "该投诉的编号已告知投诉人，无需再登记。",
        "The complainant has already been told the tracking number of this complaint.",
    ),
    "callback_no_contact": (
        "投诉人未留下联系方式，无法回访。",
        "The complainant left no contact details: there is nobody to call back.",
    ),
    # Staff search
    "search_empty": (
        "请输入要查找的投诉编号、电话、电子邮箱、信用代码、单位名称或姓名。",
        "Type a tracking number, phone number, e-mail address, credit code, organisation or name to search for.",
    ),
    "search_too_long": (
        "查找内容最多 {max} 个字符。",
        "A search can be at most {max} characters long.",
    ),
    "access_range_reversed": (
        "起始日期不能晚于结束日期。",
        "The first day must not be after the last.",
    ),
    "access_range_too_long": (
        "一次最多查看 {max} 天的记录。",
        "At most {max} days can be shown at once.",
    ),
    "forbidden_confidential_contact": (
        "这是保密投诉：只有主管可以查看投诉人的联系方式。",
        "This complaint is confidential: only supervisors may see how to reach its complainant.",
    ),
    "not_confidential": ("该投诉不是保密投诉。", "This complaint is not confidential."),
    "message_not_failed": (
        "只能重新发送未能送达的消息。",
        "Only a message that could not be delivered can be sent again.",
    ),
    "review_window_closed": (
        "申请复查的期限已过（答复后 {days} 天内）。",
        "The time to ask for a review has passed ({days} days after the decision).",
    ),
    "review_already_requested": (
        "每件投诉只能申请一次复查。",
        "A review can be requested only once per complaint.",
    ),
    "feedback_window_closed": (
        "评价期限已过（答复后 {days} 天内）。",
        "The time to rate the outcome has passed ({days} days after the response).",
    ),
    "already_rated": ("您已评价过处理结果。", "You have already rated the outcome."),
    "wrong_access_code": ("查询码不正确。", "The access code is not correct."),
    "too_many_attempts": (
        "查询码错误次数过多，请 {minutes} 分钟后再试。",
        "Too many wrong access codes: try again in {minutes} minutes.",
    ),
    "too_many_attempts_hours": (
        "查询码错误次数过多，请 {hours} 小时后再试。",
        "Too many wrong access codes: try again in {hours} hours.",
    ),
    "invalid_cursor": (
        "分页游标无效，请从第一页重新查询。",
        "The page cursor is not valid: start again from the first page.",
    ),
    # Monthly reports and published statistics
    "report_month_invalid": (
        "月份应为 YYYY-MM 格式，如 2026-03，且不早于 1990 年。",
        "The month must be in the form YYYY-MM, like 2026-03, and not before 1990.",
    ),
    "report_month_future": ("该月份尚未开始。", "That month has not begun yet."),
    "workbook_not_accepted": (
        "下载 Excel 文件时，Accept 请求头须包含 {media_type} 或 */*。",
        "To download the workbook, the Accept header must include {media_type} or */*.",
    ),
    "report_not_frozen": (
        "该月份的报表尚未冻结为快照（在次月第一个工作日冻结），请查看实时重算结果。",
        "This month's report has not been frozen into a snapshot yet (that happens on the first working day after it): see the live recomputation.",
    ),
    "statistics_not_published": (
        "该月份的统计数据尚未发布。统计数据在每月结束后的第一个工作日发布。",
        "No statistics are published for that month yet. They are published on the first working day after each month.",
    ),
    # Attachments
    "attachments_unavailable": (
        "暂时无法上传或查看附件，请稍后再试，或通过其他渠道提交材料。",
        "Attachments cannot be uploaded or opened right now: try again later, or send the files another way.",
    ),
    "attachment_limit_count": (
        "每件投诉最多可附 {max} 个文件，已达上限。",
        "A complaint can have at most {max} files, and this one has reached that limit.",
    ),
    "attachment_limit_total": (
        "每件投诉的附件合计不能超过 {max_mb} MB，剩余可上传 {left_mb} MB。",
        "A complaint's files can total at most {max_mb} MB; {left_mb} MB are left.",
    ),
    "attachment_too_large": ("单个文件不能超过 {max_mb} MB。", "A file can be at most {max_mb} MB."),
    "attachment_type_not_allowed": (
        "只能上传 JPEG、PNG、WebP 图片或 PDF 文件。",
        "Only JPEG, PNG and WebP images and PDF files can be uploaded.",
    ),
    "attachment_not_found": ("未找到该附件。", "There is no such attachment."),
    "attachment_not_ready": (
        "该附件尚在检查中，检查完成后才能打开。",
        "This file is still being checked: it can be opened once the check is done.",
    ),
    "attachment_for_supervisors": (
        "保密投诉中投诉人提交的附件仅投诉主管可以查看。",
        "On a confidential complaint, the complainant's files are for supervisors only.",
    ),
    "attachment_refused_type": (
        "文件内容不是 JPEG、PNG、WebP 图片或 PDF 文件，已删除。",
        "The file is not a JPEG, PNG or WebP image or a PDF, and was deleted.",
    ),
    "attachment_refused_damaged": (
        "文件已损坏或无法读取，已删除。",
        "The file is damaged or cannot be read, and was deleted.",
    ),
    "attachment_refused_malware": (
        "文件未通过病毒检查，已删除。",
        "The file failed the virus check, and was deleted.",
    ),
    "attachment_refused_limit": (
        "该投诉的附件数量或大小已达上限，文件已删除。",
        "The complaint's files had reached their limit, so this file was deleted.",
    ),
    # What the complainant is told on filing
    "next_steps": (
        "我们将在{due}前决定是否受理您的投诉，受理的告知预计处理时间，不予受理的详细说明理由。请妥善保存投诉编号和查询码，凭它们可随时查询进度、补充材料、评价处理结果。",
        "We will decide by {due} whether to accept your complaint. If we accept it, we tell you how long handling should take; if not, we explain why in detail. Keep your tracking number and access code: with them you can check progress, add information and rate the outcome at any time.",
    ),
    "next_steps_contact": (
        "我们会通过您留下的联系方式告知结果。",
        "We will tell you the decision using the contact details you gave.",
    ),
    # Per-field messages
    "required": ("请填写{field}。", "{field} is required."),
    "unknown_field": ("不接受此字段。", "This field is not accepted."),
    "too_long": ("{field}不能超过 {max} 个字符。", "{field} must be at most {max} characters."),
    "too_short": ("{field}至少需要 {min} 个字符。", "{field} must be at least {min} characters."),
    "invalid_choice": ("{field}的取值无效，请从列表中选择。", "{field} must be one of the listed values."),
    "invalid_value": ("{field}的格式不正确。", "{field} is not in the expected format."),
    "invalid_boolean": ("{field}应为 true 或 false。", "{field} must be true or false."),
    "invalid_date": (
        "{field}应为有效日期，格式为 YYYY-MM-DD。",
        "{field} must be a real date in the form YYYY-MM-DD.",
    ),
    "date_in_future": ("{field}不能晚于今天。", "{field} cannot be in the future."),
    "date_too_early": ("{field}不能早于 {earliest}。", "{field} cannot be before {earliest}."),
    "moment_out_of_range": (
        "{field}应为 {earliest} 至 {latest} 之间的有效时间。",
        "{field} must be a real time between {earliest} and {latest}.",
    ),
    "received_too_long_ago": (
        "{field}不能早于今天之前 {days} 天，请核对日期。",
        "{field} cannot be more than {days} days ago: check the date.",
    ),
    "duplicate_field": ("{field}重复出现，请只提交一次。", "{field} is given more than once: give it once."),
    "invalid_phone": (
        "请填写有效的电话号码，如 13800138000 或 0512-12345678。",
        "Enter a valid phone number, like 13800138000 or 0512-12345678.",
    ),
    "invalid_email": (
        "请填写有效的电子邮箱地址，如 name@example.com。",
        "Enter a valid e-mail address, like name@example.com.",
    ),
    "invalid_credit_code": (
        "统一社会信用代码无效：应为18位，最后一位是校验码，请核对。",
        "The Unified Social Credit Code is not valid: it has 18 characters and the last one is a check character. Check it.",
    ),
    "contact_required": (
        "请至少填写联系电话或电子邮箱中的一项，以便我们联系您；如不愿留下联系方式，可选择匿名投诉。",
        "Give a phone number or an e-mail address so that we can contact you, or choose to complain anonymously.",
    ),
    "contact_required_staff": (
        "请登记投诉人的联系电话或电子邮箱（至少一项）；投诉人不愿留下联系方式的，请勾选“匿名投诉”。",
        "Record the complainant's phone number or e-mail address, or tick “anonymous” if they give neither.",
    ),
    "anonymous_no_identity": (
        "匿名投诉请不要填写{field}；如需留下身份信息，请取消“匿名投诉”。",
        "Leave {field} empty for an anonymous complaint, or untick “anonymous”.",
    ),
    "enterprise_only": (
        "只有以企业身份投诉时才填写{field}。",
        "{field} is only for complaints filed by an enterprise.",
    ),
    "consent_required": (
        "请阅读并同意隐私声明后再提交。",
        "Read and agree to the privacy notice before you submit.",
    ),
    "consent_required_staff": (
        "请向投诉人说明隐私声明，并在其同意后勾选此项。",
        "Tell the complainant about the privacy notice and tick this once they agree.",
    ),
    "claim_amount_required": ("索赔投诉请填写索赔金额。", "State the amount you claim."),
    "claim_amount_required_staff": (
        "索赔投诉请登记投诉人主张的索赔金额。",
        "Record the amount the complainant claims.",
    ),
    "claim_amount_invalid": (
        "索赔金额应为大于 0、不超过 1 亿的金额，最多两位小数。",
        "The amount claimed must be more than 0 and at most 100,000,000, with at most two decimals.",
    ),
    "claim_only": (
        "只有“索赔”类别的投诉才填写索赔金额。",
        "An amount claimed is only for the “compensation claim” category.",
    ),
}


class Message(Struct, frozen=True):
    key: str
    params: Mapping[str, str | int | Label] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key not in _TEMPLATES:
            raise KeyError(f"no message template {self.key!r}")


def render(message: Message, lang: Lang) -> str:
    zh, en = _TEMPLATES[message.key]
    template = zh if lang == "zh" else en
    params = {k: (v.in_(lang) if isinstance(v, Label) else v) for k, v in message.params.items()}
    return template.format(**params)


def field_message(key: str, field_name: str, **params: str | int | Label) -> Message:
    """A message about one field, naming it by its zh/en label from the glossary."""
    try:
        field_label: str | Label = label("field", field_name)
    except KeyError:
        field_label = field_name
    return Message(key, {"field": field_label, **params})
