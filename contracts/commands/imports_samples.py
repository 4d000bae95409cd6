"""The import of one row of the old Sample Record Summary (打样记录汇总表) as history (issue 12).

The import runner reads the workbook (``services.imports.samples`` turns a row into this
command) and sends one command per row to sales, which records one ``SampleImported``.
Times lie between 2000-01-01 and now, except the two an open sample looks ahead with (its
scheduled start and its promised time).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    Field,
    model_validator,
)

from contracts.commands.base import Command, SampleCommand
from contracts.commands.bounds import (
    OCCURRED_SKEW,
    bilingual,
    history_day,
    history_moment,
)
from contracts.commands.bulk import Bulk
from events.envelope import DieDifficulty
from events.imports import ImportSource
from events.sales.sample_import import ImportStage

AHEAD = timedelta(days=366)


# A time that happened (requested, completed): from 2000-01-01 to now (5 s of clock skew).
HappenedAt = Annotated[AwareDatetime, AfterValidator(history_moment(OCCURRED_SKEW))]
# A time an open sample looks ahead to (scheduled start, promised time): up to a year on.
PlannedAt = Annotated[AwareDatetime, AfterValidator(history_moment(AHEAD))]
HappenedDay = Annotated[date, AfterValidator(history_day())]
Text = Annotated[str, Field(min_length=1, max_length=120)]
Code = Annotated[str, Field(min_length=1, max_length=60)]

# Stages at which the live process needs the die difficulty: engineering schedules by it and
# production's allowance depends on it (R-S3).
NEEDS_DIE = frozenset({"application_opened", "application_approved", "job_opened", "scheduled",
                       "in_production", "promised"})


class ImportSample(SampleCommand):
    """Import one row of the old Sample Record Summary as a sample record at the row's stage."""

    name: ClassVar[str] = "import_sample"
    source: ImportSource = Field(description="Workbook, sheet and row / 来源工作簿、工作表和行")
    requested_at: HappenedAt = Field(description="Request date (the record's business time) / "
                                                 "申请日期")
    status: ImportStage = Field(description="Stage the row stands at / 状态")
    customer: Text = Field(description="Customer / 客户")
    salesperson: Text | None = Field(default=None, description="Salesperson / 业务员")
    assistant: Text | None = Field(default=None, description="Sales assistant / 业务助理")
    product: Text | None = Field(default=None, description="Product / 产品")
    part_no: Code | None = Field(default=None, description="Part number / 料号")
    die_difficulty: DieDifficulty | None = Field(default=None, description="Die difficulty / 刀模难度")
    quotation_no: Code | None = Field(default=None, description="Quotation no. / 报价单号")
    application_no: Code | None = Field(default=None, description="Application no. / 申请单号")
    round: int = Field(default=1, ge=1, le=99, description="Sample round / 打样轮次")
    scheduled_for: PlannedAt | None = Field(default=None, description="Scheduled / 计划打样时间")
    promised_at: PlannedAt | None = Field(default=None, description="Promised / 承诺交期")
    completed_at: HappenedAt | None = Field(default=None, description="Completed / 完成时间")
    shipped_method: Literal["courier", "salesperson"] | None = Field(
        default=None, description="Shipped how / 寄样方式")
    courier: Code | None = Field(default=None, description="Courier company / 快递公司")
    tracking_no: Code | None = Field(default=None, description="Tracking no. / 快递单号")
    received_on: HappenedDay | None = Field(default=None, description="Receipt date / 签收日期")
    trial_result: Literal["ok", "ng"] | None = Field(default=None, description="Trial / 试用结果")
    trial_cause: Annotated[str, Field(min_length=1, max_length=1000)] | None = Field(
        default=None, description="Cause of an NG trial / NG 原因")
    approval_ref: Code | None = Field(default=None, description="Sample approval no. / 承认书编号")

    @model_validator(mode="after")
    def continuable(self) -> Self:
        """An open row at these stages continues live: it needs what the next step needs."""
        if self.status in NEEDS_DIE and self.die_difficulty is None:
            raise bilingual("die_difficulty_missing",
                            f"die_difficulty: a sample at stage {self.status} needs its die "
                            "difficulty (R-S3)", f"刀模难度：处于 {self.status} 的打样须填写刀模难度（R-S3）")
        if self.status == "promised" and self.promised_at is None:
            raise bilingual("promised_at_missing",
                            "promised_at: a sample at stage promised needs its promised time (R-S7)",
                            "承诺交期：已承诺交期的打样须填写承诺时间（R-S7）")
        return self


class ImportSamples(Bulk):
    """Up to 500 rows of the old Sample Record Summary in one command; each row is checked and
    imported as ``import_sample`` alone (a row's refusal answers that row only)."""

    name: ClassVar[str] = "import_samples"
    row_command: ClassVar[type[Command]] = ImportSample


COMMANDS: tuple[type[Command], ...] = (ImportSample, ImportSamples)
