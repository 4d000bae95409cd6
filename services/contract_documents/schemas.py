"""The AsyncAPI document's schemas: every pydantic contract once, under its class name, and the
few reply shapes that have no pydantic class (the read models answer rows as JSON objects)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from contracts.replies import ErrorBody

REF = "#/components/schemas/{model}"
Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": REF.format(model=name)}


class Schemas:
    """``components.schemas``: a name given twice must mean the same schema."""

    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {}

    def model(self, cls: type[BaseModel]) -> Schema:
        """The class's JSON schema (what validates it), its nested models moved beside it."""
        schema = cls.model_json_schema(ref_template=REF)
        for name, definition in schema.pop("$defs", {}).items():
            self.add(name, definition)
        return self.add(cls.__name__, schema)

    def add(self, name: str, schema: Schema) -> Schema:
        known = self.schemas.setdefault(name, schema)
        if known != schema:
            raise ValueError(f"two different schemas are both called {name}; rename one of the "
                             "classes so the AsyncAPI document can hold both")
        return ref(name)


def _rows(description: str) -> Schema:
    return {"type": "array", "description": description,
            "items": {"type": "object", "additionalProperties": True}}


def _object(description: str, required: tuple[str, ...] = (), **properties: Schema) -> Schema:
    schema: Schema = {"type": "object", "description": description, "additionalProperties": True,
                      "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def add_replies(schemas: Schemas) -> None:
    """Answers whose shape is the read models' rows (JSON objects, one per row)."""
    error = schemas.model(ErrorBody)
    schemas.add("Refusal", {
        "type": "object", "additionalProperties": False, "required": ["error"],
        "properties": {"error": error},
        "description": "A refused query or control request: the only key is error / 查询被拒绝"})
    rows = _rows("Rows of a summary table in its order (by record number unless sorted), each "
                 "with sla_flags (the record's breached, at-risk or breached-then-met clock runs; "
                 "null while the SLA model is rebuilt) / 汇总表的行")
    count = {"type": "integer", "minimum": 0}
    schemas.add("SummaryRows", {"oneOf": [rows, _object(
        "With limit: one page of the rows, and total, how many rows match the filters and "
        "search / 指定 limit 时：一页数据及符合条件的总行数", ("items", "total", "offset", "limit"),
        items=rows, total=count, offset=count, limit=count)]})
    schemas.add("MonthAnalysis", _object(
        "A month's analysis of a summary table (counts, rates, working hours) with the month's "
        "notes / 月度分析", ("notes",),
        notes=_rows("The month's notes: month, noted_at, noted_by, text / 月度备注")))
    schemas.add("MeetingInputsAnswer", _object(
        "The resource needs and improvements entered for a month's sales meeting and not "
        "withdrawn (R-M2) / 月度销售会议的资源需求与改进事项", ("month", "items"),
        month={"type": "string"},
        items=_rows("item_id, kind (resource_need or improvement), department, summary, detail, "
                    "owner, due, recorded_by, recorded_at / 事项")))
    schemas.add("AuditTrail", _rows(
        "Every event of one record across departments, in the order it happened (secret "
        "fields left out) / 审计轨迹"))
    schemas.add("CustomerRows", _rows("Every customer with its onboarding status / 客户"))
    schemas.add("CustomerFileAnswer", _object(
        "One customer and the documents of its file, by category and date / 客户电子档案",
        ("customer", "documents"),
        customer={"type": ["object", "null"], "description": "null for an unknown customer"},
        documents=_rows("The filed documents / 文件")))
    schemas.add("CalendarAnswer", _object(
        "The company calendar's entries, oldest first: type (registry key), declared_at, "
        "declared_by and the stored event / 公司日历", ("entries",),
        entries=_rows("The entries")))
    schemas.add("SlaRuns", _rows(
        "Runs of the service-level clocks: breaches first, then at-risk runs, then the rest "
        "/ 时限"))
    schemas.add("ComponentStatus", _object(
        "What a running component reports about itself: its lease role, relay (published, "
        "backlog), consumers (processed, dead_lettered, waiting), calendar or rebuild state "
        "/ 组件状态"))
    schemas.add("RedriveRequest", {
        "type": "object", "required": ["seq"], "additionalProperties": False,
        "properties": {"seq": {"type": "integer", "minimum": 1,
                               "description": "The dead letter's sequence in "
                                              "SALESFLOW_DEAD_LETTERS / 死信编号"}},
        "description": "Apply one dead letter again through its consumer / 重新投递死信"})
    schemas.add("RedriveDone", _object(
        "The dead letter was applied (or found applied before) and removed", ("ok", "message"),
        ok={"const": True}, message={"type": "string"}))
    schemas.add("RebuildProgress", _object(
        "How far a rebuild is: the read models, and messages replayed of the total / 重建进度",
        models={"type": "array", "items": {"type": "string"}},
        done={"type": "integer"}, total={"type": "integer"}))
    schemas.add("DeadLetter", _object(
        "A message a consumer could not apply, with why (services.runtime.consumer) / 死信",
        ("consumer", "stream", "seq", "subject", "error", "attempts", "data"),
        consumer={"type": "string", "description": "The component that failed to apply it"},
        stream={"type": "string", "description": "The stream it came from"},
        tracking={"type": "string", "description": "The consumer's tracking name"},
        seq={"type": "integer", "description": "Its sequence in that stream"},
        subject={"type": "string"},
        error={"type": "string", "description": "The last failure: type and message"},
        attempts={"type": "integer"},
        headers={"type": "object", "additionalProperties": {"type": "string"}},
        data={"type": "string", "description": "The message's body as text"}))
