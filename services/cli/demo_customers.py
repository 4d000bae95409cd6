"""The demo's customers and people (who acts in which role), and how the customers are
onboarded: with their External Contact Window (R-S1) and a drawing on
file (R-S2) before their samples are requested."""
from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.cli.demo import Demo

CUSTOMERS = ("Huaxin Electronics 华信电子", "Dongguan Precision 东莞精密", "Shenzhen Tape 深圳胶带",
             "Suzhou Display 苏州显示", "Ningbo Auto Parts 宁波汽配", "Xiamen Optics 厦门光学")
PEOPLE = {
    "assistant": ("amy", "sales_assistant"), "salesperson": ("bob", "salesperson"),
    "tech": ("tina", "technical_support"), "quoter": ("quinn", "quotation_specialist"),
    "supervisor": ("sue", "cs_supervisor"), "engineer": ("eric", "engineer"),
    "pmc": ("pam", "pmc_planner"), "production": ("pete", "production_supervisor"),
    "manager": ("max", "sales_manager"), "inspector": ("qiu", "qc_inspector"),
}


class DemoFailed(RuntimeError):
    """A demo step was refused for a reason waiting cannot fix."""


def actor(who: str) -> dict[str, str]:
    user, role = PEOPLE[who]
    return {"user": user, "role": role}


WINDOW = [  # R-S1: the External Contact Window's required sales contacts
    {"name": "Ma Li 马丽", "role": "marketing_manager", "duty": "major exceptions 重大异常",
     "phone": "0755-1000"},
    {"name": "Sue 苏", "role": "cs_supervisor", "duty": "quotations, complaints 报价与客诉",
     "phone": "0755-1001"},
    {"name": "Amy 艾米", "role": "sales_assistant", "duty": "daily contact 日常联络",
     "phone": "0755-1002"},
    {"name": "Tina 蒂娜", "role": "technical_support", "duty": "drawings, process 图纸工艺",
     "phone": "0755-1003"},
]


async def onboard(demo: Demo, customer_no: str, customer: str) -> None:
    """R-S1 / R-S2: submitted, confirmed with an assistant, contact window sent (with the
    quality department's contact, whose head approved it), first drawing filed."""
    await demo.send("sales", "submit_customer", "salesperson", customer_no=customer_no,
                    customer_name=customer, contact={"person": "Mr. Chen 陈先生",
                                                     "phone": "0512-6000"})
    await demo.send("sales", "confirm_customer", "manager", customer_no=customer_no,
                    assistant="amy")
    await demo.send("sales", "approve_contact_disclosure", "manager", customer_no=customer_no,
                    department="quality", head="Qiang 品质经理")
    await demo.send("sales", "send_contact_window", "assistant", customer_no=customer_no,
                    contacts=[*WINDOW, {"name": "Quinn QE", "department": "quality",
                                        "duty": "incoming inspection 来料检验",
                                        "phone": "0755-2000"}])
    drawing = f"drawing of {customer}".encode()
    await demo.send("sales", "file_customer_document", "assistant", customer_no=customer_no,
                    category="engineering_drawing", title="gasket drawing rev A 图纸A版",
                    filename="gasket-a.dxf", filed_on=datetime.now(UTC).date().isoformat(),
                    content_base64=base64.b64encode(drawing).decode())
