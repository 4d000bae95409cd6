"""Who may take each step of a sales complaint record, after which statuses, and the sentences a
step out of order is refused with (R-C1 to R-C7). Kept apart so ``complaint.py`` reads as the
steps themselves."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events.envelope import Department, Role
from events.sales.complaint import ComplaintImported, Severity
from services.domain import DomainError, Invalid, RuleBroken

# R-C1: one external window, the marketing department: anyone in sales takes a complaint in.
SALES = (Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.CS_SUPERVISOR, Role.SALESPERSON,
         Role.SALES_ASSISTANT, Role.TECHNICAL_SUPPORT, Role.QUOTATION_SPECIALIST)
# R-C2: the assistant or salesperson who received it passes it on; sales answers a minor one.
FRONT_LINE = (Role.SALESPERSON, Role.SALES_ASSISTANT)
# R-C1: the only role authorised to handle a complaint.
TECHNICAL_SUPPORT = (Role.TECHNICAL_SUPPORT,)
CS_SUPERVISOR = (Role.CS_SUPERVISOR,)

STATUS_ZH = {"new": "不存在", "received": "已接收", "forwarded": "已转交技术支持",
             "registered": "已登记", "judged": "已判定严重程度", "form_filled": "处理单已填写",
             "form_signed": "处理单已签核", "escalated": "已提交责任部门",
             "measures_recorded": "已登记改善对策", "replied": "已答复客户", "reopened": "重新处理",
             "satisfied": "客户满意", "verified": "满意度已确认", "closed": "已结案"}

# The statuses a complaint passes through once its form is signed, and once it is registered;
# none of them is "closed": a closed complaint takes no more entries.
AFTER_SIGNING = frozenset({"form_signed", "escalated", "measures_recorded", "replied", "reopened",
                           "satisfied", "verified"})
AFTER_REGISTRATION = AFTER_SIGNING | {"registered", "judged", "form_filled"}


@dataclass(frozen=True)
class Step:
    """A step of the record: its rule, the statuses it may follow, and why, in both languages."""

    rule: str
    after: frozenset[str]
    en: str
    zh: str


def _step(rule: str, after: set[str] | frozenset[str], en: str, zh: str) -> Step:
    return Step(rule, frozenset(after), en, zh)


STEPS = {
    "forward": _step("R-C2", {"received"}, "a complaint is passed to technical support once, "
                     "right after intake and before it is registered",
                     "客诉接收后、登记前转交技术支持，且只转交一次"),
    "register": _step("R-C2", {"received", "forwarded"}, "technical support registers a "
                      "complaint once, after it was taken in", "技术支持在客诉接收后登记，且只登记一次"),
    "handle": _step("R-C2", AFTER_REGISTRATION, "files and conversations with the customer belong "
                    "to a registered complaint that is not closed", "附件和客户沟通记录须在客诉登记后、结案前录入"),
    "judge": _step("R-C2", {"registered"}, "the severity is judged once, after registration",
                   "客诉登记后判定严重程度，且只判定一次"),
    "fill": _step("R-C2", {"judged"}, "the Complaint Handling Form is filled in once, after the "
                  "severity is judged", "判定严重程度后填写客诉处理单，且只填写一次"),
    "sign": _step("R-C2", {"form_filled"}, "the CS supervisor signs a filled-in Complaint "
                  "Handling Form, once", "客服主管签核已填写的客诉处理单，且只签核一次"),
    "answer_minor": _step("R-C2", {"form_signed", "reopened"}, "sales answers a minor complaint "
                          "once its form is signed, and again after a reopen",
                          "轻微客诉在处理单签核后由业务答复，重新处理时再次答复"),
    "escalate": _step("R-C2", {"form_signed", "reopened"}, "the signed form goes to the "
                      "responsible department, and again after a reopen",
                      "处理单签核后提交责任部门，重新处理时可再次提交"),
    "measures": _step("R-C2", AFTER_SIGNING, "the responsible department's measures belong to a "
                      "complaint that is not closed", "责任部门的改善对策须在结案前登记"),
    "reply": _step("R-C2", {"measures_recorded"}, "technical support replies once the "
                   "responsible department's measures are recorded",
                   "责任部门的改善对策登记后，技术支持才能答复客户"),
    "follow_up": _step("R-C3", {"replied", "satisfied", "verified"}, "a follow-up comes after a "
                       "reply to the customer; a reopened complaint needs a new reply first",
                       "答复客户后才能跟进；重新处理的客诉须先重新答复"),
    "verify": _step("R-C3", {"satisfied"}, "the CS supervisor verifies the satisfaction a "
                    "follow-up recorded", "客服主管须在跟进记录客户满意后确认满意度"),
    "close": _step("R-C3", {"verified"}, "a complaint is closed only after the CS supervisor "
                   "verified the customer's satisfaction", "客服主管确认客户满意后才能结案"),
    "visit": _step("R-C7", AFTER_REGISTRATION, "a visit belongs to a registered complaint that "
                   "is not closed", "客户拜访须在客诉登记后、结案前安排和记录"),
    "archive": _step("R-C7", AFTER_SIGNING, "the Complaint Handling Form is archived after it "
                     "was signed, before the complaint is closed", "客诉处理单签核后、结案前归档"),
}


def out_of_step(step: str, complaint_no: str, status: str) -> RuleBroken:
    """The refusal of ``step`` on a complaint in ``status``."""
    s = STEPS[step]
    return RuleBroken(s.rule, f"{s.en} (complaint {complaint_no} is {status})",
                      f"{s.zh}（客诉 {complaint_no} 当前状态：{STATUS_ZH[status]}）")


DEPARTMENT_ZH = {Department.SALES: "业务部", Department.ENGINEERING: "工程部",
                 Department.PRODUCTION: "生产部", Department.QUALITY: "品质部"}


def not_escalated_to(department: Department, complaint_no: str,
                     escalated_to: Department | None) -> RuleBroken:
    """R-C2: only the department a complaint was escalated to supplies its analysis."""
    if escalated_to is None:
        en, zh = "was not escalated to any department yet", "尚未提交任何责任部门"
    else:
        en, zh = (f"was escalated to {escalated_to.value}",
                  f"已提交{DEPARTMENT_ZH[escalated_to]}")
    return RuleBroken("R-C2", f"complaint {complaint_no} {en}: the analysis of "
                      f"{department.value} is not recorded on it",
                      f"客诉 {complaint_no} {zh}：{DEPARTMENT_ZH[department]}的分析不予登记",
                      field="responsible")


SEVERITY_ZH = {Severity.MINOR: "轻微", Severity.NEEDS_DATA: "需其他部门提供资料",
               Severity.COMPLEX: "复杂"}
# A step that depends on the severity: its rule, and what it needs, in both languages.
_SEVERITY_NEEDED = {
    "answer_minor": ("R-C2", "sales answers a minor complaint only; the others go to the "
                     "responsible department and technical support replies",
                     "业务只答复轻微客诉；其他客诉提交责任部门处理，由技术支持答复客户"),
    "escalate": ("R-C2", "a minor complaint is not escalated: sales handles it and replies "
                 "(answer_minor_complaint)", "轻微客诉不提交责任部门：由业务处理并答复"),
    "visit": ("R-C7", "only a complex complaint is visited on site",
              "只有复杂客诉需要现场拜访"),
}


def wrong_severity(step: str, complaint_no: str, severity: Severity | None) -> RuleBroken:
    rule, en, zh = _SEVERITY_NEEDED[step]
    judged_en = f"judged {severity.value}" if severity else "not judged yet"
    judged_zh = f"判定为{SEVERITY_ZH[severity]}" if severity else "尚未判定严重程度"
    return RuleBroken(rule, f"{en} (complaint {complaint_no} is {judged_en})",
                      f"{zh}（客诉 {complaint_no} {judged_zh}）")


# -- issue 12: a complaint imported from the old Complaint Summary --------------------------------
REGISTERED_ON = AFTER_REGISTRATION | {"closed"}
JUDGED_ON = REGISTERED_ON - {"registered"}
FORM_ON = JUDGED_ON - {"judged"}
# Stages a complaint that is not minor reaches through the responsible department (R-C2).
ESCALATED_ON = frozenset({"escalated", "measures_recorded"})
# What a stage needs for the live process to go on from it: field -> (English, Chinese).
_NEEDED = (
    (REGISTERED_ON, "salesperson", "a registered complaint names its salesperson",
     "已登记的客诉须有业务员"),
    (REGISTERED_ON, "product_model", "a registered complaint names the product model",
     "已登记的客诉须有产品型号"),
    (JUDGED_ON, "severity", "a judged complaint has its severity", "已判定的客诉须有严重程度"),
    (FORM_ON, "form_no", "a complaint whose form was filled in has the form's number",
     "已填写处理单的客诉须有处理单号"),
    (frozenset({"closed"}), "closed_at", "a closed complaint has its closed date",
     "已结案的客诉须有结案日期"),
)


def import_gap(stage: str, facts: dict[str, object]) -> RuleBroken | None:
    """R-C2, R-C3: the first fact the imported ``stage`` needs and the row lacks, or that
    contradicts it; None when the row can stand at that stage."""
    where_en, where_zh = f" (status {stage})", f"（状态：{STATUS_ZH[stage]}）"
    for stages, name, en, zh in _NEEDED:
        if stage in stages and facts.get(name) is None:
            return RuleBroken("R-C2" if name != "closed_at" else "R-C3", en + where_en,
                              zh + where_zh, field=name)
    severity = facts.get("severity")
    if stage in JUDGED_ON and severity not in (None, Severity.MINOR) \
            and facts.get("responsible") is None:
        return RuleBroken("R-C2", "a complaint that is not minor names the responsible "
                          "department" + where_en, "非轻微客诉须有责任部门" + where_zh,
                          field="responsible")
    if stage in ESCALATED_ON and severity is Severity.MINOR:
        return RuleBroken("R-C2", "a minor complaint is answered by sales, never escalated"
                          + where_en, "轻微客诉由业务答复，不提交责任部门" + where_zh,
                          field="severity")
    if stage != "closed" and facts.get("closed_at") is not None:
        return RuleBroken("R-C3", "a complaint with a closed date is closed" + where_en,
                          "有结案日期的客诉应为已结案" + where_zh, field="closed_at")
    return None


def same_import(imported: ComplaintImported, facts: dict[str, Any], received: datetime) -> bool:
    """The same row again, or the same complaint from another file or row (every fact but the
    source equal): importing it changes nothing."""
    if facts["source"] == imported.source:
        return True
    kept = imported.model_dump(include=set(facts) - {"source"})
    return imported.timestamp == received and kept == {k: v for k, v in facts.items()
                                                       if k != "source"}


def before_receipt(facts: dict[str, Any], received: datetime) -> DomainError | None:
    """A reply or closing dated before the complaint was received is a typo in the row."""
    for name in ("replied_at", "closed_at"):
        if facts.get(name) is not None and facts[name] < received:
            return Invalid(None, f"{name} must not be before the complaint was received",
                           f"{name} 不能早于客诉接收时间", field=name)
    return None
