"""Small parts of the stream consumer that need no broker."""
from __future__ import annotations

import pytest
from nats.aio.msg import Msg

from services.runtime.messages import stream_sequence


@pytest.mark.parametrize("reply", [
    "$JS.ACK.SALESFLOW_SALES.projections-from-sales.1.4711.12.1764280000000000000.3",
    "$JS.ACK.hub.ACCHASH.SALESFLOW_SALES.projections-from-sales.1.4711.12.1764280000000000000.3",
    "$JS.ACK.hub.ACCHASH.SALESFLOW_SALES.projections-from-sales.1.4711.12.1764280000000000000.3.xyz",
])
def test_the_stream_sequence_is_read_from_every_ack_subject_format(reply: str) -> None:
    msg = Msg(_client=None, subject="salesflow.sales.sample.x", reply=reply)  # type: ignore[arg-type]
    assert stream_sequence(msg) == 4711 == msg.metadata.sequence.stream
